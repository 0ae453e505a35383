"""The interface translation stays whole (issue 15):

(a) no template holds translatable text outside {% translate %} / {% blocktranslate %}: after comments, tags,
    variables, scripts and styles are taken out, no text node and no title, placeholder, aria-label or alt
    attribute (nor a submit button's value) may hold a Latin letter, apart from a short allowlist;
(b) every entry of locale/ar/LC_MESSAGES/django.po and djangojs.po has a non-empty, non-fuzzy Arabic msgstr
    (all six plural forms) whose placeholders are the msgid's, and the catalogues are current: every string
    marked in the sources is in them (makemessages run over a temporary copy of the tree).

Each check is also run against a small bad input, so that it is known to be able to fail.
"""

import fcntl
import html
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale" / "ar" / "LC_MESSAGES"

# --- (a) templates ---------------------------------------------------------------------------------------------

# The template directories checked so far. The other helpers' directories join when their templates are marked
# (templates/annotations, templates/projects, annotations/templates,
# compare/templates, projects/templates ...); at the end the whole tree is checked: ALL_TEMPLATE_DIRECTORIES.
CHECKED_TEMPLATE_DIRECTORIES = [
    "templates",  # the files directly in it: base.html and the error pages (not its subdirectories)
    "templates/registration",
    "templates/corpus",
    "templates/jobs",
    "templates/api",
    "templates/admin",
    "templates/annotations",
    "templates/projects",
    "templates/recommenders",
    "compare/templates",
]

# Words that are written so in an Arabic interface too. Keep it short: anything else is marked for translation.
ALLOWED_WORDS = {
    "Hamish",  # the brand, shown beside هامش
    "English",  # the language switch names the other language in that language
    "JSON",  # file formats, written so in Arabic too
    "CoNLL",
    "CSV",
    "SVG",
}
CHECKED_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# base.html's blocks that fill an attribute (class names), not text.
ATTRIBUTE_BLOCKS = {"main_class", "body_class"}
LATIN = re.compile(r"[A-Za-z]")


# Not marked yet: their owners are marking them. Each joins CHECKED_TEMPLATE_DIRECTORIES when it is done.
NOT_MARKED_YET = set()


def all_templates():
    """Every template of the project: under templates/ and each app's templates/ (never .venv's)."""
    return sorted({*ROOT.glob("templates/**/*.html"), *ROOT.glob("*/templates/**/*.html")} - set(ROOT.glob(".venv/**/*.html")))


def templates_in(directory):
    """The templates a directory entry covers: "templates" only its own files, any other directory all below it."""
    base = ROOT / directory
    return sorted(base.glob("*.html")) if directory == "templates" else sorted(base.rglob("*.html"))


def strip_template(source):
    """The template's HTML with everything Django renders taken out: comments, blocktranslate blocks (marked),
    every other tag and every variable. Scripts and styles go too."""
    text = re.sub(r"\{#.*?#\}", " ", source, flags=re.S)
    text = re.sub(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", " ", text, flags=re.S)
    blocks = "|".join(ATTRIBUTE_BLOCKS)
    text = re.sub(rf"\{{%\s*block\s+(?:{blocks})\s*%\}}.*?\{{%\s*endblock\b.*?%\}}", " ", text, flags=re.S)
    text = re.sub(r"\{%\s*blocktrans(?:late)?\b.*?%\}.*?\{%\s*endblocktrans(?:late)?\s*%\}", " ", text, flags=re.S)
    text = re.sub(r"\{%.*?%\}", " ", text, flags=re.S)
    text = re.sub(r"\{\{.*?\}\}", " ", text, flags=re.S)
    return re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.S | re.I)


class _TextFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self.in_kbd = 0

    def handle_starttag(self, tag, attrs):
        if tag == "kbd":
            self.in_kbd += 1
        attributes = dict(attrs)
        for name, value in attrs:
            if name in CHECKED_ATTRIBUTES and value:
                self.found.append(f"{tag}[{name}]: {value}")
        is_submit = tag == "input" and (attributes.get("type") or "").lower() in ("submit", "button", "reset")
        if is_submit and attributes.get("value"):
            self.found.append(f"{tag}[value]: {attributes['value']}")

    def handle_endtag(self, tag):
        if tag == "kbd" and self.in_kbd:
            self.in_kbd -= 1

    def handle_data(self, data):
        if not self.in_kbd and data.strip():  # keyboard keys are what is printed on the key
            self.found.append(" ".join(data.split()))


def unmarked_strings(source):
    """The texts of a template that a translator never sees."""
    finder = _TextFinder()
    finder.feed(strip_template(source))
    finder.close()
    unmarked = []
    for text in finder.found:
        rest = html.unescape(text.split("]: ", 1)[1] if "]: " in text else text)
        for word in ALLOWED_WORDS:
            rest = re.sub(rf"\b{re.escape(word)}\b", "", rest)
        if LATIN.search(rest):
            unmarked.append(text)
    return unmarked


def unmarked_by_file(directories):
    report = {}
    for directory in directories:
        for path in templates_in(directory):
            found = unmarked_strings(path.read_text(encoding="utf-8"))
            if found:
                report[str(path.relative_to(ROOT))] = found
    return report


def format_report(report):
    return "\n".join(f"{name}:\n" + "\n".join(f"    {text!r}" for text in texts) for name, texts in report.items())


def test_the_checked_templates_hold_no_unmarked_text():
    report = unmarked_by_file(CHECKED_TEMPLATE_DIRECTORIES)
    assert not report, "Unmarked interface text (wrap it in {% translate %} or {% blocktranslate %}):\n" + format_report(report)


def test_the_template_check_finds_unmarked_text_and_passes_marked_text():
    bad = """{% load i18n %}<h1>Import articles</h1><p title="Close">{% translate "Fine" %}</p>
        <input type="submit" value="Send"><a aria-label="Main">x</a><img alt="Chart"><input placeholder="Name">"""
    assert unmarked_strings(bad) == [
        "Import articles",
        "p[title]: Close",
        "input[value]: Send",
        "a[aria-label]: Main",
        "x",
        "img[alt]: Chart",
        "input[placeholder]: Name",
    ]
    good = """{% load i18n %}{# a comment in English #}<h1>{% translate "Import articles" %}</h1>
        {% block main_class %}page narrow{% endblock %}
        {% blocktranslate trimmed count counter=n %}{{ n }} article{% plural %}{{ n }} articles{% endblocktranslate %}
        <p title="{% translate 'Close' %}" data-x="free text">{{ article.title }} · هامش Hamish <kbd>Esc</kbd></p>
        <script src="x.js"></script><style>p { color: red }</style><input type="text" value="{{ query }}">"""
    assert unmarked_strings(good) == []


def test_every_template_is_checked_or_known_to_be_not_marked_yet():
    """A new template (or directory) is checked from the start unless it sits in a directory still being marked."""
    checked = {path for directory in CHECKED_TEMPLATE_DIRECTORIES for path in templates_in(directory)}
    pending = {path for directory in NOT_MARKED_YET for path in templates_in(directory)}
    unknown = [str(path.relative_to(ROOT)) for path in all_templates() if path not in checked | pending]
    assert not unknown, f"templates in no checked directory: {unknown}"


# --- (b) catalogues ----------------------------------------------------------------------------------------

NAMED = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifFeEgGxXr]")
POSITIONAL = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdifFeEgGxXr]")
BRACES = re.compile(r"\{(\w*)\}")
TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b")
ARABIC_PLURAL_FORMS = 6
# Arabic may name one, two (and none) in words: "مقال واحد", "مقالان". Forms 3-5 always carry the number.
FORMS_THAT_MAY_DROP_THE_NUMBER = {0, 1, 2}


def placeholders(text):
    text = text.replace("%%", "")
    named = sorted(NAMED.findall(text))
    positional = len(POSITIONAL.findall(NAMED.sub("", text)))
    return named, positional, sorted(BRACES.findall(text))


def entry_problems(entry):
    """What is wrong with one catalogue entry's translation (empty list: nothing)."""
    where = f"{entry.msgctxt + ' | ' if entry.msgctxt else ''}{entry.msgid!r}"
    if entry.obsolete:
        return []
    if "fuzzy" in entry.flags:
        return [f"{where}: fuzzy (a guess by msgmerge, never checked by anyone)"]
    problems = []
    if not entry.msgid_plural:
        if not entry.msgstr.strip():
            return [f"{where}: no translation"]
        if placeholders(entry.msgstr) != placeholders(entry.msgid):
            problems.append(f"{where}: placeholders {placeholders(entry.msgstr)} instead of {placeholders(entry.msgid)}")
        # A translation may add <bdi> (isolating data, as Arabic needs it more often), never lose or add other markup.
        translated, original = sorted(TAG.findall(entry.msgstr)), sorted(TAG.findall(entry.msgid))
        other_markup = [t for t in translated if t != "bdi"] != [t for t in original if t != "bdi"]
        if other_markup or translated.count("bdi") < original.count("bdi"):
            problems.append(f"{where}: HTML tags {translated} instead of {original}")
        return problems
    forms = entry.msgstr_plural
    if sorted(forms) != list(range(ARABIC_PLURAL_FORMS)) or not all(value.strip() for value in forms.values()):
        return [
            f"{where}: needs all {ARABIC_PLURAL_FORMS} Arabic plural forms, has {sum(bool(v.strip()) for v in forms.values())}"
        ]
    expected_named, expected_positional, expected_braces = placeholders(entry.msgid_plural)
    for index, value in sorted(forms.items()):
        named, positional, braces = placeholders(value)
        if index in FORMS_THAT_MAY_DROP_THE_NUMBER:
            wrong = (
                not set(named) <= set(expected_named)
                or positional > expected_positional
                or not set(braces) <= set(expected_braces)
            )
        else:
            wrong = (named, positional, braces) != (expected_named, expected_positional, expected_braces)
        if wrong:
            problems.append(f"{where}: plural form {index} has placeholders {(named, positional, braces)}")
    return problems


# Whose strings must be translated by now: the sources below (the interface core). The other helpers' join as they
# finish (annotations/, projects/, compare/, static/js/ ...); at the end WHOLE_CATALOGUE = True requires every entry.
WHOLE_CATALOGUE = True
CHECKED_SOURCES = [
    "accounts/**/*.py",
    "corpus/**/*.py",
    "jobs/**/*.py",
    "api/**/*.py",
    "hamish/**/*.py",
    *(
        f"{directory}/*.html" if directory == "templates" else f"{directory}/**/*.html"
        for directory in CHECKED_TEMPLATE_DIRECTORIES
    ),
]
XGETTEXT = [
    "xgettext",
    "--language=Python",
    "--from-code=UTF-8",
    "--output=-",
    "--keyword=gettext_noop",
    "--keyword=gettext_lazy",
    "--keyword=ngettext_lazy:1,2",
    "--keyword=pgettext:1c,2",
    "--keyword=npgettext:1c,2,3",
    "--keyword=pgettext_lazy:1c,2",
    "--keyword=npgettext_lazy:1c,2,3",
]


def marked_in(patterns, workdir):
    """(msgctxt, msgid) of the strings marked in the files matching `patterns` (migrations left out; templates
    through Django's templatize, as makemessages reads them)."""
    from django.utils.translation.template import templatize

    paths = sorted({path for pattern in patterns for path in ROOT.glob(pattern) if "migrations" not in path.parts})
    files = []
    for index, path in enumerate(paths):
        if path.suffix == ".html":
            converted = workdir / f"template{index}.py"
            converted.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)), encoding="utf-8")
            files.append(str(converted))
        else:
            files.append(str(path))
    pot = subprocess.run([*XGETTEXT, *files], capture_output=True, text=True, check=True).stdout
    return {(entry.msgctxt, entry.msgid) for entry in polib.pofile(pot)} if pot.strip() else set()


def read_catalogue(path):
    """The checked-in catalogue, read under the lock scripts/messages and po_fill.py write it under (a read
    during someone's rewrite would see half a file)."""
    with open(ROOT / "locale" / ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
        return polib.pofile(str(path))


def catalogues():
    return [path for path in (LOCALE / "django.po", LOCALE / "djangojs.po") if path.exists()]


@pytest.mark.parametrize("path", catalogues(), ids=lambda path: path.name)
def test_every_entry_has_a_checked_arabic_translation_with_the_same_placeholders(path, tmp_path):
    catalogue = [entry for entry in read_catalogue(path) if not entry.obsolete]
    if WHOLE_CATALOGUE:
        required = {(entry.msgctxt, entry.msgid) for entry in catalogue}
    elif path.name == "django.po":
        if shutil.which("xgettext") is None:
            pytest.skip("GNU gettext's xgettext is not installed: cannot tell which strings the checked sources mark")
        required = marked_in(CHECKED_SOURCES, tmp_path)
    else:
        required = set()  # static/js joins when its strings are all translated
    problems = []
    for entry in catalogue:
        found = entry_problems(entry)
        if (entry.msgctxt, entry.msgid) in required:
            problems += found
        elif entry.translated() and "fuzzy" not in entry.flags:
            problems += [problem for problem in found if "placeholders" in problem]  # a broken one breaks the page
    assert not problems, f"{path.name}: {len(problems)} problem(s):\n" + "\n".join(problems)


def test_the_catalogue_check_finds_missing_fuzzy_and_broken_translations():
    def entry(msgid, msgstr="", **kwargs):
        return polib.POEntry(msgid=msgid, msgstr=msgstr, **kwargs)

    assert entry_problems(entry("Save", "حفظ")) == []
    assert entry_problems(entry("Save")) == ["'Save': no translation"]
    assert entry_problems(entry("Save", "حفظ", flags=["fuzzy"]))[0].endswith("never checked by anyone)")
    assert "placeholders" in entry_problems(entry("%(count)s files", "%(cuont)s ملفات"))[0]
    assert "placeholders" in entry_problems(entry("%s of %s", "%s"))[0]
    assert "HTML tags" in entry_problems(entry("<bdi>%(x)s</bdi>", "%(x)s"))[0]
    assert "HTML tags" in entry_problems(entry('<a href="%(u)s">x</a>', "%(u)s"))[0]
    assert entry_problems(entry("mine (%(u)s)", "تعليقاتي (<bdi>%(u)s</bdi>)")) == []
    assert entry_problems(entry("100%% sure", "متأكد 100%%")) == []
    six = {0: "لا مقالات", 1: "مقال واحد", 2: "مقالان", 3: "%(n)s مقالات", 4: "%(n)s مقالًا", 5: "%(n)s مقال"}
    plural = {"msgid": "%(n)s article", "msgid_plural": "%(n)s articles"}
    assert entry_problems(polib.POEntry(**plural, msgstr_plural=six)) == []
    assert "6 Arabic plural forms" in entry_problems(polib.POEntry(**plural, msgstr_plural={0: "a", 1: "b"}))[0]
    broken = {**six, 4: "مقالًا"}  # 11-99 without the number
    assert "plural form 4" in entry_problems(polib.POEntry(**plural, msgstr_plural=broken))[0]


def marked_in_sources(tmp_path):
    """(msgctxt, msgid) of every string marked in the tree, per domain: makemessages over a copy of the tree,
    with the same options as scripts/messages, so the checked-in catalogues are not touched."""
    copy = tmp_path / "tree"
    ignore = shutil.ignore_patterns(".git", ".venv", "staticfiles", "__pycache__", "*.sqlite3*", "node_modules", "test-results")
    shutil.copytree(ROOT, copy, ignore=ignore, symlinks=True)
    for po in (copy / "locale").rglob("*.po"):  # start empty: only the sources decide what is there
        po.unlink()
    env = {"DEBUG": "1", "PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    common = ["-l", "ar", "--no-location", "--no-obsolete", "--ignore=.venv/*", "--ignore=staticfiles/*", "--ignore=tests/*"]
    for domain, extra in [
        ("django", ["--ignore=bench/*", "--ignore=scripts/*"]),
        ("djangojs", ["--ignore=static/vendor/*"]),
    ]:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain, *common, *extra],
            cwd=copy,
            env=env,
            check=True,
            capture_output=True,
        )
    found = {}
    for domain in ("django", "djangojs"):
        path = copy / "locale" / "ar" / "LC_MESSAGES" / f"{domain}.po"
        found[domain] = {(e.msgctxt, e.msgid) for e in polib.pofile(str(path))} if path.exists() else set()
    return found


def test_the_catalogues_hold_every_string_marked_in_the_sources(tmp_path):
    if shutil.which("xgettext") is None:
        pytest.skip("GNU gettext's xgettext is not installed: cannot collect the marked strings to compare")
    found = marked_in_sources(tmp_path)
    missing = {}
    for domain, marked in found.items():
        path = LOCALE / f"{domain}.po"
        present = {(e.msgctxt, e.msgid) for e in read_catalogue(path) if not e.obsolete} if path.exists() else set()
        if marked - present:
            missing[domain] = sorted(marked - present, key=str)
    assert not missing, "Marked but not in the catalogue (run scripts/messages, then translate):\n" + "\n".join(
        f"{domain}.po: {msgid!r}" + (f" (context {context!r})" if context else "")
        for domain, entries in missing.items()
        for context, msgid in entries
    )
