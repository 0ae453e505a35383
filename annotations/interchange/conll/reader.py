"""Reading a CoNLL / BIO file: the layout and tag scheme detected, every problem listed with its line.

What is detected (and said, in `Reading.detected()`):
- Columns: the number of fields most token lines have (2: token and tag; 3-4: CoNLL-2003 style, token first,
  tag last, the columns between ignored). A line with a tab is split at tabs (a token may then hold spaces),
  other lines at runs of spaces. -DOCSTART- lines (with any fields) start a new article.
- The tag scheme: BIOES (E-/S- tags), BILOU (L-/U-), else IOB1 (I- starts entities, B- only between two
  adjacent entities of one type) or IOB2 (every entity starts with B-); ANERcorp tag names (PERS) are read
  as the label PER.
- Sentence breaks: blank lines. Where the file gives none for more than LONG_RUN tokens, the run is split
  into paragraphs after each token that is . ! ? ؟ or … (never inside an entity), and a piece still longer
  than MAX_PARAGRAPH_TOKENS at its first token outside an entity past that length. Each paragraph remembers
  whether the file had a blank line after it, so the export writes the file's lines back (layouts.py).

Problems, each with its line: a line with no token (" O"), a token of invisible characters only, a token
holding a control character, no tag, more or fewer fields than the file's layout, a tag that is not O or
PREFIX-LABEL, and tags that break the detected scheme (an I- starting an entity in an IOB2 file, a BIOES
entity not closed). By default any problem refuses the file; with bad_lines="repair" each is repaired
(extra fields are part of the token, fewer fields give token and tag, a bad tag's case or "_" is fixed or
it is read as O, control characters are removed, a broken sequence is read leniently) and with "skip" the
line is left out; lines with no token are left out either way. Every repair and skip is reported and
counted: no token is dropped or merged silently.
"""

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from corpus.importing.text import BIDI_CONTROLS, LINE_BREAKS, STRAY_CONTROLS, ZERO_WIDTH

from .tokens import SENTENCE_ENDS

DOCSTART = "-DOCSTART-"
LONG_RUN = 200  # tokens with no blank line before a run is split at sentence ends
MAX_PARAGRAPH_TOKENS = 1000
SHOWN_PROBLEMS = 25
BAD_LINES = ("refuse", "repair", "skip")
ANERCORP_NAMES = {"PERS": "PER"}
SCHEMES = ("IOB1", "IOB2", "BIOES", "BILOU")

_TAG = re.compile(r"(?:O|([BIESLU])-(\S+))")
_CONTROLS = re.compile(f"{BIDI_CONTROLS.pattern}|{STRAY_CONTROLS.pattern}|{LINE_BREAKS.pattern}")
_SPACES = re.compile("[ \t]+")


class ConllError(ValueError):
    """The file cannot be read; `problems` lists why (the detection first, then the lines)."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


@dataclass
class Token:
    text: str
    tag: str  # as in the file, or repaired
    line: int
    label: str | None = None  # the entity label (None for O)
    begins: bool = False  # starts an entity


@dataclass
class Sentence:
    tokens: list
    break_after: bool = True  # the file has a blank line (or the end of an article) after it

    @property
    def text(self):
        return " ".join(token.text for token in self.tokens)

    def boundaries(self):
        result, offset = [], 0
        for token in self.tokens:
            result += (offset, offset + len(token.text))
            offset += len(token.text) + 1
        return result


@dataclass
class ConllDocument:
    sentences: list = field(default_factory=list)  # [Sentence], each a paragraph


@dataclass
class Problem:
    line: int
    kind: str
    message: str


# Problem kinds: (singular, plural) for the summary line.
def _kind_names(kind, count):
    names = {
        "no token": ngettext("%(count)s line with no token", "%(count)s lines with no token", count),
        "invisible token": ngettext(
            "%(count)s token of invisible characters only", "%(count)s tokens of invisible characters only", count
        ),
        "control": ngettext("%(count)s token with a control character", "%(count)s tokens with a control character", count),
        "no tag": ngettext("%(count)s line with no tag", "%(count)s lines with no tag", count),
        "extra fields": ngettext(
            "%(count)s line with more fields than the layout", "%(count)s lines with more fields than the layout", count
        ),
        "missing fields": ngettext(
            "%(count)s line with fewer fields than the layout", "%(count)s lines with fewer fields than the layout", count
        ),
        "bad tag": ngettext("%(count)s tag that is not a BIO tag", "%(count)s tags that are not BIO tags", count),
        "sequence": ngettext("%(count)s tag that breaks the tag scheme", "%(count)s tags that break the tag scheme", count),
    }
    return names[kind] % {"count": f"{count:,}"}


@dataclass
class Reading:
    documents: list
    columns: int = 2
    tab_lines: int = 0
    space_lines: int = 0
    docstarts: int = 0
    blank_lines: int = 0
    scheme: str = "IOB2"
    anercorp: bool = False
    entity_tags: int = 0
    long_runs: int = 0  # runs with no blank line, split at sentence ends
    split_paragraphs: int = 0  # the paragraphs they gave
    normalised: int = 0  # tokens that were not NFC
    problems: list = field(default_factory=list)
    bad_lines: str = "refuse"
    repaired: list = field(default_factory=list)  # line numbers
    skipped: list = field(default_factory=list)

    def tokens(self):
        return sum(len(s.tokens) for d in self.documents for s in d.sentences)

    def detected(self):
        """One line saying what was found in the file."""
        if self.columns == 2:
            columns = _("2 columns (token, tag)")
        else:
            columns = _("%(count)s columns (token first, tag last; the %(others)s between are not kept)") % {
                "count": self.columns,
                "others": self.columns - 2,
            }
        if self.tab_lines and self.space_lines and self.tab_lines < self.space_lines:
            separator = ngettext(
                "space-separated (%(count)s line with a tab, split at its tabs)",
                "space-separated (%(count)s lines with a tab, split at their tabs)",
                self.tab_lines,
            ) % {"count": f"{self.tab_lines:,}"}
        elif self.tab_lines and self.space_lines:
            separator = ngettext(
                "tab-separated (%(count)s line without a tab, split at its spaces)",
                "tab-separated (%(count)s lines without a tab, split at their spaces)",
                self.space_lines,
            ) % {"count": f"{self.space_lines:,}"}
        elif self.tab_lines:
            separator = _("tab-separated")
        else:
            separator = _("space-separated")
        parts = [columns, separator]
        if self.docstarts:
            parts.append(
                ngettext("%(count)s -DOCSTART- line", "%(count)s -DOCSTART- lines", self.docstarts)
                % {"count": f"{self.docstarts:,}"}
            )
        else:
            parts.append(_("no -DOCSTART- line (one article)"))
        if self.entity_tags:
            parts.append(_("%(scheme)s tags") % {"scheme": self.scheme})
        else:
            parts.append(_("no entity tags"))
        if self.anercorp:
            parts.append(_("ANERcorp tag names (PERS is read as PER)"))
        if not self.blank_lines:
            parts.append(_("no blank lines (no sentence breaks)"))
        if self.long_runs:
            parts.append(
                ngettext(
                    "%(runs)s run of over %(long)s tokens without a blank line split at sentence ends into %(paragraphs)s paragraphs",
                    "%(runs)s runs of over %(long)s tokens without a blank line split at sentence ends into %(paragraphs)s paragraphs",
                    self.long_runs,
                )
                % {"runs": f"{self.long_runs:,}", "long": LONG_RUN, "paragraphs": f"{self.split_paragraphs:,}"}
            )
        return _("Detected: %(what)s.") % {"what": _separator().join(parts)}

    def summary(self):
        """Problems by kind, in one line."""
        kinds = Counter(problem.kind for problem in self.problems)
        return _separator().join(_kind_names(kind, count) for kind, count in kinds.items())

    def notes(self):
        """What the import should say besides its counts: the detection, repairs, skips, normalisation."""
        notes = [self.detected()]
        for what, lines in (("repaired", self.repaired), ("skipped", self.skipped)):
            if not lines:
                continue
            shown = ", ".join(str(n) for n in lines[:20]) + ("…" if len(lines) > 20 else "")
            if what == "repaired":
                text = ngettext(
                    "%(count)s bad line repaired (line %(lines)s).", "%(count)s bad lines repaired (lines %(lines)s).", len(lines)
                )
            else:
                text = ngettext(
                    "%(count)s bad line skipped (line %(lines)s).", "%(count)s bad lines skipped (lines %(lines)s).", len(lines)
                )
            notes.append(text % {"count": f"{len(lines):,}", "lines": shown})
        for problem in self.problems[:SHOWN_PROBLEMS]:
            notes.append(problem.message)
        if len(self.problems) > SHOWN_PROBLEMS:
            notes.append(_("… and %(count)s more.") % {"count": f"{len(self.problems) - SHOWN_PROBLEMS:,}"})
        if self.normalised:
            notes.append(
                ngettext(
                    "%(count)s token was not in NFC and was normalised.",
                    "%(count)s tokens were not in NFC and were normalised.",
                    self.normalised,
                )
                % {"count": f"{self.normalised:,}"}
            )
        return notes

    def refusal(self):
        """The problems of a refused file, for AnnotationImportError: what was detected, a count by kind, the lines."""
        count = len(self.problems)
        head = ngettext(
            "The file has %(count)s problem (%(kinds)s); nothing was imported.",
            "The file has %(count)s problems (%(kinds)s); nothing was imported.",
            count,
        ) % {"count": f"{count:,}", "kinds": self.summary()}
        head += " " + _("Choose to repair or to skip the bad lines to import the rest (each is reported).")
        lines = [self.detected(), head, *(p.message for p in self.problems[:SHOWN_PROBLEMS])]
        if count > SHOWN_PROBLEMS:
            lines.append(_("… and %(count)s more.") % {"count": f"{count - SHOWN_PROBLEMS:,}"})
        return lines


def _separator():
    return pgettext("list separator", "; ")


def _shown(value, limit=60):
    value = value if len(value) <= limit else value[:limit] + "…"
    return repr(value)


def _describe(char):
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name.lower()})" if name else f"U+{ord(char):04X}"


def _repaired_tag(tag):
    """A tag with its case or separator fixed, or None."""
    candidate = tag.upper().replace("_", "-")
    if candidate != "O" and len(candidate) > 2 and candidate[1] == "-" and candidate[0] in "BIESLU":
        return candidate if _TAG.fullmatch(candidate) else None
    return candidate if candidate == "O" else None


class _Lines:
    """First pass: split the lines into fields; second: make tokens, noting problems."""

    def __init__(self, text):
        self.rows = []  # (line number, kind, fields, raw) with kind "blank", "docstart" or "token"
        widths = Counter()
        self.tab_lines = self.space_lines = 0
        raw_lines = text.split("\n")
        if raw_lines[-1] == "":
            raw_lines.pop()  # after the final line feed
        for number, raw in enumerate(raw_lines, start=1):
            raw = raw.removesuffix("\r")
            if not raw.strip(" \t"):
                self.rows.append((number, "blank", None, raw))
                continue
            if "\t" in raw:
                fields = [part.strip(" ") for part in raw.rstrip(" \t").split("\t")]
                self.tab_lines += 1
            else:
                fields = _SPACES.split(raw.strip(" "))
                self.space_lines += 1
            if fields[0] == DOCSTART or (fields[0] == "" and len(fields) > 1 and fields[1] == DOCSTART):
                self.rows.append((number, "docstart", fields, raw))
                continue
            self.rows.append((number, "token", fields, raw))
            if len(fields) >= 2 and fields[0]:
                widths[len(fields)] += 1
        # The layout: the commonest number of fields (2 when tied, then the smaller).
        self.columns = max(widths, key=lambda w: (widths[w], w == 2, -w)) if widths else 2


def _token(number, fields, raw, columns, problems):
    """(Token, repaired Token or None, problem kind or None) for a token line."""
    # Fields after the line's token: the tag is the last; with more fields than the layout, the extra ones
    # (on the left) belong to the token, as written.
    if not fields[0] or len(fields) == 1 and _TAG.fullmatch(fields[0]):
        tag = fields[-1] if len(fields) > 1 else fields[0]
        problems.append(
            Problem(
                number, "no token", _("Line %(line)s: no token before the tag %(tag)s.") % {"line": number, "tag": _shown(tag)}
            )
        )
        return None, None
    if len(fields) == 1:
        problems.append(
            Problem(
                number,
                "no tag",
                _("Line %(line)s: the token %(token)s has no tag.") % {"line": number, "token": _shown(fields[0])},
            )
        )
        return None, Token(fields[0], "O", number)
    tag = fields[-1]
    token = fields[0]
    repaired_token = None
    if len(fields) > columns:
        extra = len(fields) - columns
        if "\t" in raw:
            joined = " ".join(fields[: extra + 1])
        else:
            # The token as written, inner spaces kept: the line without its last columns.
            joined = raw.strip(" ")
            for _k in range(columns - 1):
                joined = joined[: joined.rfind(" ")].rstrip(" ")
        problems.append(
            Problem(
                number,
                "extra fields",
                _(
                    "Line %(line)s: %(found)s fields where the file has %(columns)s: %(text)s. Repairing reads the token as %(token)s."
                )
                % {
                    "line": number,
                    "found": len(fields),
                    "columns": columns,
                    "text": _shown(raw.strip()),
                    "token": _shown(joined),
                },
            )
        )
        repaired_token = joined
    elif len(fields) < columns:
        problems.append(
            Problem(
                number,
                "missing fields",
                _(
                    "Line %(line)s: %(found)s fields where the file has %(columns)s: %(text)s. Repairing reads the first as the token and the last as the tag."
                )
                % {"line": number, "found": len(fields), "columns": columns, "text": _shown(raw.strip())},
            )
        )
        repaired_token = token
    repaired_tag = None
    if not _TAG.fullmatch(tag):
        fixed = _repaired_tag(tag)
        problems.append(
            Problem(
                number,
                "bad tag",
                _(
                    "Line %(line)s: %(tag)s is not a BIO tag (O, B-LABEL, I-LABEL, E-LABEL or S-LABEL). Repairing reads it as %(fixed)s."
                )
                % {"line": number, "tag": _shown(tag), "fixed": fixed or "O"},
            )
        )
        repaired_tag = fixed or "O"
    visible = token.strip(ZERO_WIDTH + "\u00a0\u200e\u200f")
    bad = _CONTROLS.search(repaired_token or token)
    if bad:
        cleaned = _CONTROLS.sub("", repaired_token or token)
        problems.append(
            Problem(
                number,
                "control",
                _("Line %(line)s: the token %(token)s holds a control character, %(char)s; repairing removes it.")
                % {"line": number, "token": _shown(token), "char": _describe(bad.group()[0])},
            )
        )
        repaired_token = cleaned
    elif not visible:
        problems.append(
            Problem(
                number,
                "invisible token",
                _("Line %(line)s: the token is only invisible characters (%(chars)s).")
                % {"line": number, "chars": ", ".join(_describe(c) for c in token[:5])},
            )
        )
        return None, None
    if repaired_token is None and repaired_tag is None:
        return Token(token, tag, number), None
    repaired = Token(repaired_token if repaired_token is not None else token, repaired_tag or tag, number)
    if not repaired.text.strip(ZERO_WIDTH + "\u00a0\u200e\u200f"):
        return None, None
    return None, repaired


def _detect_scheme(sentences):
    """(scheme, entity tag count) from the tag prefixes and how entities start."""
    prefixes, starts_with_i, starts_with_b = Counter(), 0, 0
    for sentence in sentences:
        previous = None
        for token in sentence:
            prefix, _sep, name = token.tag.partition("-")
            prefixes[prefix] += 1
            if prefix in "BI" and prefix != "O":
                outside = previous is None or previous[0] == "O" or previous[1] != name
                if outside and prefix == "I":
                    starts_with_i += 1
                elif outside and prefix == "B":
                    starts_with_b += 1
            previous = (prefix, name)
    entity_tags = sum(count for prefix, count in prefixes.items() if prefix != "O")
    if prefixes["E"] or prefixes["S"]:
        return "BIOES", entity_tags
    if prefixes["L"] or prefixes["U"]:
        return "BILOU", entity_tags
    return ("IOB1" if starts_with_i > starts_with_b else "IOB2"), entity_tags


def _entities(sentence, scheme, problems):
    """Set label and begins on each token by the scheme; tags that break it are problems, read leniently."""
    last, single = ("E", "S") if scheme == "BIOES" else ("L", "U") if scheme == "BILOU" else (None, None)
    previous = None  # (prefix, label) of the token before, None at the sentence start or after O
    open_entity = None  # BIOES: the label of the entity waiting for its E-
    for token in sentence:
        prefix, _sep, name = token.tag.partition("-")
        label = ANERCORP_NAMES.get(name, name) if prefix != "O" else None
        token.label = label
        if scheme in ("IOB1", "IOB2"):
            if prefix in ("E", "S", "L", "U"):
                problems.append(
                    _sequence(token, _("%(prefix)s- tags have no place in %(scheme)s") % {"prefix": prefix, "scheme": scheme})
                )
                prefix = "B" if prefix in ("S", "U") else "I"
            outside = previous is None or previous[1] != name
            if prefix == "B":
                token.begins = True
                if scheme == "IOB1" and outside:
                    problems.append(_sequence(token, _("in IOB1 a B- tag only follows an entity of the same type")))
            elif prefix == "I":
                token.begins = outside
                if scheme == "IOB2" and outside:
                    problems.append(_sequence(token, _("in IOB2 an entity starts with B-, not I-")))
            previous = (prefix, name) if prefix != "O" else None
            continue
        # BIOES / BILOU
        if prefix in ("I", last):
            if open_entity != label:
                problems.append(_sequence(token, _("%(tag)s does not continue an entity begun with B-") % {"tag": token.tag}))
                token.begins = True
            open_entity = label if prefix == "I" else None
            continue
        if open_entity is not None:
            problems.append(_sequence(token, _("the entity before it was not closed with %(last)s-") % {"last": last}))
            open_entity = None
        if prefix == "B":
            token.begins, open_entity = True, label
        elif prefix == single:
            token.begins = True
        elif prefix != "O":  # B/I style tags in a BIOES file
            problems.append(
                _sequence(token, _("%(prefix)s- tags have no place in %(scheme)s") % {"prefix": prefix, "scheme": scheme})
            )
            token.begins = True
    if open_entity is not None and sentence:
        problems.append(
            _sequence(sentence[-1], _("the sentence ends before the entity is closed with %(last)s-") % {"last": last})
        )


def _sequence(token, why):
    return Problem(
        token.line, "sequence", _("Line %(line)s: %(tag)s: %(why)s.") % {"line": token.line, "tag": _shown(token.tag), "why": why}
    )


def _split(run):
    """A run of tokens with no blank line, as paragraphs: after sentence ends, never inside an entity."""
    pieces, current = [], []
    for k, token in enumerate(run):
        current.append(token)
        following = run[k + 1] if k + 1 < len(run) else None
        if following is None:
            break
        continues = following.label is not None and not following.begins
        if continues:
            continue
        if token.text in SENTENCE_ENDS or len(current) >= MAX_PARAGRAPH_TOKENS:
            pieces.append(current)
            current = []
    if current:
        pieces.append(current)
    return pieces


def read_conll(text, *, bad_lines="refuse"):
    """A Reading of CoNLL text; ConllError listing every problem (with the detection) unless bad_lines says
    to repair or skip them."""
    if bad_lines not in BAD_LINES:
        raise ValueError(bad_lines)
    lines = _Lines(text)
    reading = Reading(documents=[], columns=lines.columns, tab_lines=lines.tab_lines, space_lines=lines.space_lines)
    problems = reading.problems
    # Runs of token lines, by article: [tokens, whether a blank line follows].
    runs_by_document, runs, current = [], [], []
    for number, kind, fields, raw in lines.rows:
        if kind == "blank":
            reading.blank_lines += 1
            if current:
                runs.append((current, True))
                current = []
            continue
        if kind == "docstart":
            reading.docstarts += 1
            if current:
                runs.append((current, False))
                current = []
            if runs:
                runs_by_document.append(runs)
            runs = []
            continue
        before = len(problems)
        token, repaired = _token(number, fields, raw, lines.columns, problems)
        if len(problems) > before:
            if bad_lines == "refuse":
                token = repaired  # kept only to read the rest of the file; nothing is imported
            elif bad_lines == "repair" and repaired is not None:
                reading.repaired.append(number)
                token = repaired
            else:
                reading.skipped.append(number)
                token = None
        if token is None:
            continue
        normal = unicodedata.normalize("NFC", token.text)
        if normal != token.text:
            reading.normalised += 1
            token.text = normal
        current.append(token)
    if current:
        runs.append((current, False))
    if runs:
        runs_by_document.append(runs)

    reading.scheme, reading.entity_tags = _detect_scheme(run for runs in runs_by_document for run, _blank in runs)
    reading.anercorp = any(
        token.tag.partition("-")[2] in ANERCORP_NAMES for runs in runs_by_document for run, _blank in runs for token in run
    )
    sequence_problems = []
    for runs in runs_by_document:
        for run, _blank in runs:
            _entities(run, reading.scheme, sequence_problems)
    if sequence_problems:
        problems.extend(sequence_problems)
        if bad_lines == "repair":
            reading.repaired.extend(p.line for p in sequence_problems)
        elif bad_lines == "skip":
            # A tag that breaks the scheme is read leniently, not left out: leaving out a token of an entity
            # would cut the entity. Said as repaired.
            reading.repaired.extend(p.line for p in sequence_problems)
    problems.sort(key=lambda p: p.line)
    reading.repaired.sort()
    if problems and bad_lines == "refuse":
        raise ConllError(reading.refusal())

    for runs in runs_by_document:
        document = ConllDocument()
        for run, blank_after in runs:
            pieces = _split(run) if len(run) > LONG_RUN else [run]
            if len(pieces) > 1:
                reading.long_runs += 1
                reading.split_paragraphs += len(pieces)
            document.sentences += [Sentence(piece, break_after=False) for piece in pieces[:-1]]
            document.sentences.append(Sentence(pieces[-1], break_after=blank_after))
        reading.documents.append(document)
    return reading
