"""A news page's story, not its chrome: trafilatura picks the story, our parser keeps the text.

trafilatura (with jusText and htmldate) is made for news pages: it scores a page's blocks and keeps the main
text, and reads the title, author and publication date. Its text is never stored, though: annotation offsets
point into the stored paragraphs, so they are the paragraphs our own parser (corpus.importing.html) reads, the
same characters whichever way the page is imported. trafilatura's output only decides which of our blocks are
the story: a block is the story when its text is found, in order, in what trafilatura kept.

The rule for the blocks trafilatura did not keep (`classify`):

- between the first and the last story block, every block is kept and marked as page chrome (a caption, a
  "read also" line, a subheading the extractor judged wrongly): nothing inside the story is ever lost, and an
  analyst recovers a wrongly dropped paragraph by removing its mark;
- before or after the story, a block is dropped as navigation noise when it is mostly link text (menus, "most
  read" headlines, `|`-joined footer rows, share buttons, tickers) or a short label (at most NOISE_WORDS words
  and no sentence end: "الرئيسية", "طباعة", the outlet's name); any other block (a comment policy, a copyright
  line, readers' comments, a poll) is kept and marked as page chrome;
- a block trafilatura kept is still marked as page chrome when a chrome rule (`chrome_rule`: a copyright or
  footer line, a `|`-separated row, a comment-policy notice, a dateline with "آخر تحديث", a "most read"
  heading and the short lines listed under it) says so.

A page trafilatura rejects (returns nothing, fewer than MIN_STORY_CHARACTERS, or text our blocks do not cover),
a page larger than MAX_EXTRACTOR_CHARACTERS or MAX_EXTRACTOR_ELEMENTS, and any error inside trafilatura fall back to our parser's
reading alone (corpus.importing.html._story_blocks), as before. Our parser runs first in every case, so its
caps (nesting depth, libxml2's limits) refuse a malicious page before trafilatura sees it.
"""

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

logger = logging.getLogger(__name__)

MIN_STORY_CHARACTERS = 150  # of trafilatura's text: less is a rejection (a gallery, a page of links)
MIN_COVERAGE = 0.6  # of trafilatura's text our blocks must account for, else its text is not ours to align
# trafilatura's time grows with the page's elements more than its size (bench/pages.py --huge, this machine):
# 1 MB of story paragraphs took 1.5 s, 5 MB 6 s; 250 KB of tiny <div>s (19,000 elements) 1.9 s, 1 MB 8 s,
# 5 MB 34 s. A real news page has a few thousand elements. A page over either cap is read by our parser alone
# (about 1 s for 5 MB), so the extractor adds at most about a second to any page.
MAX_EXTRACTOR_CHARACTERS = 1_500_000
MAX_EXTRACTOR_ELEMENTS = 10_000
SHORT_BLOCK = 25  # characters: a block this short must match a whole line of trafilatura's text
NOISE_WORDS = 4
LINK_DENSE = 0.5  # share of a block's characters inside <a>
LIST_LINE_WORDS = 15  # a line under a "most read" heading this short is one of its headlines

WHITESPACE = re.compile(r"\s+")
ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
SENTENCE_END = (".", "!", "؟", "?", ":", "…", "»", "”", '"', "؛")

# --- chrome rules, shared with the boilerplate hints (annotations.boilerplate) ---
COPYRIGHT = re.compile(
    r"©|\(c\)\s*\d{4}|جميع\s+الحقوق\s+محفوظة|كافة\s+الحقوق\s+محفوظة|الحقوق\s+محفوظة|حقوق\s+(?:النشر|الطبع)"
    r"|all\s+rights\s+reserved|\bcopyright\b",
    re.IGNORECASE,
)
COMMENT_POLICY = re.compile(
    r"(?:تعبر|تعبّر|يعبر|يعبّر)\s+عن\s+(?:رأي|آراء)\s+(?:أصحابها|كاتبيها|كتابها|صاحبها|أصحابه|كاتبها)"
    r"|(?:تعبر|تعبّر|يعبر|يعبّر)\s+عن\s+(?:أصحابها|كاتبيها|كتابها)"
    r"|لا\s+(?:تعبر|تعبّر|يعبر|يعبّر)\s+(?:بالضرورة\s+)?عن\s+(?:رأي|وجهة\s+نظر)\s+(?:الصحيفة|الموقع|الجريدة)"
    r"|سياسة\s+التعليقات|شروط\s+التعليق|comments?\s+(?:are|is)\s+moderated|comment\s+policy",
    re.IGNORECASE,
)
COMMENTS_HEADING = re.compile(r"^\s*(?:تعليقات\s+القراء|التعليقات|أضف\s+تعليقك|اترك\s+تعليقا|أضف\s+تعليقا)\b")
LAST_UPDATE = re.compile(r"آخر\s+تحديث|اخر\s+تحديث|last\s+updated?", re.IGNORECASE)
DATELINE_MAX_WORDS = 25
MOST_READ = re.compile(
    r"^\s*(?:الأكثر|الاكثر)\s+(?:قراءة|قراءه|مشاهدة|تعليقا|تعليقاً|تداولا|تداولاً|شعبية)"
    r"|^\s*(?:most\s+(?:read|popular|viewed|commented)|trending)\b",
    re.IGNORECASE,
)
MOST_READ_HEADING_WORDS = 5
LINK_ROW_SEPARATOR = re.compile(r"\s[|¦]\s|\s[|¦]$|^[|¦]\s")
LINK_ROW_PART_WORDS = 4
RULE_WORDS = 40  # a longer block is prose, whatever phrase it quotes


def words(text):
    return len(text.split())


def chrome_rule(text):
    """The name of the chrome rule `text` (one paragraph) meets, or None: "copyright", "link row" (short
    parts joined by |), "comment policy" (the notice, or a comments heading), "dateline" (a line that carries آخر تحديث anywhere), "most read" (the heading of a most
    read list; the headlines under it are the caller's to follow, see `most_read_list`)."""
    count = words(text)
    if count > RULE_WORDS:
        return None
    if COMMENT_POLICY.search(text) or (count <= 4 and COMMENTS_HEADING.search(text)):
        return "comment policy"
    if count <= DATELINE_MAX_WORDS and LAST_UPDATE.search(text):
        return "dateline"
    if count <= 20 and COPYRIGHT.search(text):
        return "copyright"
    if count <= MOST_READ_HEADING_WORDS and MOST_READ.search(text):
        return "most read"
    parts = [part for part in re.split(r"[|¦]", text) if part.strip()]
    if len(parts) >= 2 and LINK_ROW_SEPARATOR.search(text) and all(words(p) <= LINK_ROW_PART_WORDS for p in parts):
        return "link row"
    return None


def most_read_list(texts):
    """For paragraphs in order, the set of indexes that are a "most read" heading or one of the short lines
    (at most LIST_LINE_WORDS words) right under it; the list ends at the first longer line."""
    found, in_list = set(), False
    for index, text in enumerate(texts):
        if chrome_rule(text) == "most read":
            found.add(index)
            in_list = True
        elif in_list and words(text) <= LIST_LINE_WORDS:
            found.add(index)
        else:
            in_list = False
    return found


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            "يناير|كانون الثاني", "فبراير|شباط", "مارس|آذار|اذار", "أبريل|ابريل|إبريل|نيسان", "مايو|أيار|ايار",
            "يونيو|يونيه|حزيران", "يوليو|يوليه|تموز", "أغسطس|اغسطس|آب|اب", "سبتمبر|أيلول|ايلول",
            "أكتوبر|اكتوبر|تشرين الأول|تشرين الاول", "نوفمبر|تشرين الثاني", "ديسمبر|كانون الأول|كانون الاول",
        ],
        start=1,
    )
    for name in names.split("|")
}  # fmt: skip
MONTH_NAMES = "|".join(sorted(map(re.escape, MONTHS), key=len, reverse=True))
WRITTEN_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s+({MONTH_NAMES})\s+(\d{{4}})(?!\d)")
NUMERIC_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(\d{4})(?![\d/])")
YEAR_FIRST_DATE = re.compile(r"(?<![\d/-])(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?![\d/-])")
PUBLISHED_CUE = re.compile(r"(?:^|[\s(|-])(?:نشر\s+(?:في|بتاريخ)|نشر:|تاريخ\s+النشر|آخر\s+تحديث|published)", re.IGNORECASE)
ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def dateline_date(texts, chrome=()):
    """The date a dateline writes out ("الأحد 4 يوليو 2010", "نشر في: 12/03/2013" day first, "2015-08-09"), in the first
    short line that says it is the publication's (نشر, تاريخ, آخر تحديث), else in the first short line kept as
    page chrome (`chrome`: indexes; a story's own dates are not its dateline); or None.
    htmldate reads dates from markup and metadata, and not Arabic month names; its search of the text (through
    dateparser, which loads every language it knows: 3.5 s on a process's first page) is left off."""
    short = [(i, text.translate(ARABIC_DIGITS)) for i, text in enumerate(texts) if words(text) <= DATELINE_MAX_WORDS]
    cued = [text for _i, text in short if PUBLISHED_CUE.search(text)]
    for candidates in (cued, [text for i, text in short if i in chrome]):
        for text in candidates:
            found = []
            if match := WRITTEN_DATE.search(text):
                found.append((match.start(), int(match[3]), MONTHS[match[2]], int(match[1])))
            if match := NUMERIC_DATE.search(text):
                found.append((match.start(), int(match[3]), int(match[2]), int(match[1])))
            if match := YEAR_FIRST_DATE.search(text):
                found.append((match.start(), int(match[1]), int(match[2]), int(match[3])))
            for _start, year, month, day in sorted(found):
                try:
                    return date(year, month, day)
                except ValueError:
                    continue
    return None


# --- alignment ---
def key(text):
    """What two readings of the same block share: NFC, no zero-width characters, whitespace made one space."""
    return WHITESPACE.sub(" ", ZERO_WIDTH.sub("", unicodedata.normalize("NFC", text))).strip()


# trafilatura's output elements that end a line of its text.
TRAFILATURA_BLOCKS = {"p", "head", "item", "quote", "cell", "row", "list", "table", "code", "lb", "div", "figure"}


def _lines_of(body):
    parts = []

    def walk(element):
        if element.tag == "lb":
            parts.append("\n")
        if element.text:
            parts.append(element.text)
        for child in element:
            walk(child)
            if child.tag in TRAFILATURA_BLOCKS:
                parts.append("\n")
            if child.tail:
                parts.append(child.tail)

    walk(body)
    return [line for line in (key(piece) for piece in "".join(parts).split("\n")) if line]


@dataclass
class Extraction:
    lines: list[str]  # trafilatura's text, one line per block it kept
    title: str = ""
    author: str = ""
    published_on: date | None = None
    site_name: str = ""


def run_trafilatura(markup, elements=0):
    """trafilatura's reading of the page (of `elements` elements, as our parser counted them), or None when it
    rejects it, when the page is over the caps, or when it fails (never a 500 for its sake)."""
    if len(markup) > MAX_EXTRACTOR_CHARACTERS or elements > MAX_EXTRACTOR_ELEMENTS:
        return None
    try:
        import trafilatura  # noqa: PLC0415 (a second of imports: loaded on the first page, not with Django)

        document = trafilatura.bare_extraction(
            markup,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception:  # a bug of trafilatura's on one odd page must not refuse the page: our parser reads it
        logger.warning("trafilatura failed on a page; our parser alone reads it", exc_info=True)
        return None
    if document is None or document.body is None:
        return None
    lines = _lines_of(document.body)
    if sum(map(len, lines)) < MIN_STORY_CHARACTERS:
        return None
    published = None
    if document.date:
        try:
            published = date.fromisoformat(document.date[:10])
        except ValueError:
            published = None
    return Extraction(
        lines=lines,
        title=key(document.title or ""),
        author=key(document.author or ""),
        published_on=published,
        site_name=key(document.sitename or ""),
    )


def align(blocks, lines):
    """[True if the block is the story] for our blocks' keys, matched in order against trafilatura's lines, and
    the share of trafilatura's characters matched."""
    joined = "\n".join(lines)
    flat = joined.replace("\n", " ")  # same length: a position means the same in both
    padded = "\n" + joined + "\n"
    cursor, matched, story = 0, 0, []
    for block in blocks:
        if not block:
            story.append(False)
            continue
        if len(block) < SHORT_BLOCK:
            position = padded.find("\n" + block + "\n", cursor)  # padded[i + 1] is joined[i]
        else:
            position = flat.find(block, cursor)
        if position == -1:
            story.append(False)
            continue
        story.append(True)
        cursor = position + len(block)
        matched += len(block)
    return story, min(1.0, matched / max(1, len(flat)))


STORY, CHROME, NOISE = "story", "chrome", "noise"


def classify(blocks, link_shares, story):
    """STORY, CHROME (kept, marked as page chrome) or NOISE (dropped) for each block; see the module's rule."""
    flagged = most_read_list(blocks)
    kinds = [
        (CHROME if index in flagged or chrome_rule(text) else STORY) if is_story else None
        for index, (text, is_story) in enumerate(zip(blocks, story, strict=True))
    ]
    story_indexes = [index for index, kind in enumerate(kinds) if kind == STORY]
    first, last = (story_indexes[0], story_indexes[-1]) if story_indexes else (len(blocks), -1)
    for index, (text, links) in enumerate(zip(blocks, link_shares, strict=True)):
        if kinds[index] is not None:
            continue
        if not text:
            kinds[index] = NOISE
        elif first < index < last:
            kinds[index] = CHROME
        elif links >= LINK_DENSE or (words(text) <= NOISE_WORDS and not text.endswith(SENTENCE_END)):
            kinds[index] = NOISE
        else:
            kinds[index] = CHROME
    return kinds


def json_ld_headline(markup):
    """The headline of the page's first NewsArticle-like JSON-LD block, or ""."""
    for match in re.finditer(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script>", markup[:500_000], re.S | re.I):
        try:
            data = json.loads(match[1])
        except ValueError:
            continue
        for item in data if isinstance(data, list) else [data]:
            if isinstance(item, dict) and isinstance(item.get("headline"), str) and item["headline"].strip():
                return key(item["headline"])
    return ""


# --- marks at import ---
CHROME_CATEGORY = "chrome"  # the boilerplate category of the paragraphs kept as page chrome
CHROME_DISPLAY_NAME = "page chrome"  # annotations.models.DEFAULT_CATEGORY_NAMES translates it


def chrome_category():
    """The page-chrome boilerplate category, created on first use (as an administrator would in the admin);
    None when an administrator retired it: the paragraphs are still stored, unmarked, and hinted."""
    from annotations.models import BoilerplateCategory  # noqa: PLC0415 (the corpus loads before annotations)

    category, _created = BoilerplateCategory.objects.get_or_create(
        name=CHROME_CATEGORY, defaults={"display_name": CHROME_DISPLAY_NAME, "position": 90}
    )
    return category if category.is_active else None


def mark_page_chrome(user, files):
    """Mark the paragraphs kept as page chrome as boilerplate of the page-chrome category, authored by the
    importing account, with an 'imported' event each in the audit trail (annotations.interchange.audit), so
    the reading view folds them like any mark and the importer can unmark one. Another analyst sees them as
    hints ("kept as page chrome at import", annotations.boilerplate) until they mark them. Nothing is marked
    for an import without an account (the import_articles command, setup_demo): marks have an author.
    `files`: [(file name, paragraph ids)]."""
    if user is None or not any(ids for _name, ids in files):
        return 0
    from annotations.interchange.audit import ImportTrail  # noqa: PLC0415
    from annotations.models import BoilerplateMark  # noqa: PLC0415

    category = chrome_category()
    if category is None:
        return 0
    written = 0
    for filename, ids in files:
        if not ids:
            continue
        marks = BoilerplateMark.objects.bulk_create(
            [BoilerplateMark(paragraph_id=pk, category=category, author=user) for pk in ids], batch_size=500
        )
        trail = ImportTrail(user, filename)
        for mark in marks:
            trail.mark(mark)
        trail.write()
        written += len(marks)
    return written
