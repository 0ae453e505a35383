"""News pages, the story not the chrome (issue 16): our parser alone vs trafilatura choosing the story.

    .venv/bin/python bench/pages.py [--huge]

For each saved page in tests/data/pages/ (written by hand in the shapes of real outlets' templates) and its
expected story (NAME.expected.json: title, date, story paragraphs), as the import drafts it (decoding,
cleaning, NFC: corpus.importing.formats.draft_from_file), prints: story paragraphs kept verbatim and unmarked,
chrome left (stored, not marked, neither story nor the headline), chrome kept as marked boilerplate, whether
title and date are right, and the time per page, once with our parser alone and once with trafilatura.
--huge also times a 5 MB page of divs and a 5 MB page of real-looking paragraphs (the extractor's cap).
--hints imports each page as our parser alone reads it into a throwaway database and counts how many of its
chrome lines the boilerplate hints (annotations.boilerplate) flag: the fallback's safety net.
"""

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "data" / "pages"


def setup():
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamish.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


@dataclass
class Result:
    page: str
    reader: str
    story: int  # expected story paragraphs
    story_kept: int  # stored verbatim and not marked
    story_marked: int  # stored but marked as page chrome (recoverable, yet wrong)
    chrome_left: int  # stored, unmarked, not story and not the headline
    chrome_marked: int  # stored and marked as page chrome
    title_right: bool
    date_right: bool
    seconds: float
    left: list  # the chrome left, for the report


def pages():
    return sorted(PAGES.glob("*.html"))


def expected_of(path):
    return json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))


def draft_of(path, story_extractor=True):
    from corpus.importing import formats
    from corpus.importing.files import IncomingFile

    real = formats.extract_html
    formats.extract_html = lambda markup: real(markup, story_extractor=story_extractor)
    try:
        return formats.draft_from_file(IncomingFile(path.name, data=path.read_bytes()))
    finally:
        formats.extract_html = real


def evaluate(path, story_extractor=True):
    expected = expected_of(path)
    started = time.perf_counter()
    draft = draft_of(path, story_extractor)
    seconds = time.perf_counter() - started
    story = expected["story"]
    unmarked = [text for position, text in enumerate(draft.paragraphs) if position not in draft.chrome]
    marked = [text for position, text in enumerate(draft.paragraphs) if position in draft.chrome]
    kept = sum(1 for text in story if text in unmarked)
    left = [text for text in unmarked if text not in story and text != expected["title"]]
    return Result(
        page=path.stem,
        reader="trafilatura" if story_extractor else "our parser",
        story=len(story),
        story_kept=kept,
        story_marked=sum(1 for text in story if text in marked and text not in unmarked),
        chrome_left=len(left),
        chrome_marked=sum(1 for text in marked if text not in story),
        title_right=draft.title == expected["title"],
        date_right=str(draft.published_on) == expected["date"],
        seconds=seconds,
        left=left,
    )


def huge_pages():
    paragraph = "<p>" + "وقال المتحدث إن الفرق الميدانية تواصل عملها في المناطق المتضررة منذ الصباح الباكر. " * 3 + "</p>\n"
    real = "<html><body><div class='story'>" + paragraph * (5_000_000 // len(paragraph)) + "</div></body></html>"
    divs = "<html><body>" + "<div>نص</div>" * (5_000_000 // 13) + "</body></html>"
    small_divs = "<html><body>" + "<div>نص</div>" * 12_000 + "</body></html>"
    return {"5 MB of story paragraphs": real, "5 MB of <div>نص</div>": divs, "12,000 <div>s (156 KB)": small_divs}


def time_huge():
    from corpus.importing import news
    from corpus.importing.html import extract_html

    for name, markup in huge_pages().items():
        started = time.perf_counter()
        document = extract_html(markup)
        total = time.perf_counter() - started
        news_started = time.perf_counter()
        limit, news.MAX_EXTRACTOR_CHARACTERS = news.MAX_EXTRACTOR_CHARACTERS, 10**9
        try:
            uncapped = news.run_trafilatura(markup)  # no element count: that cap is off too
        finally:
            news.MAX_EXTRACTOR_CHARACTERS = limit
        trafilatura_seconds = time.perf_counter() - news_started
        print(
            f"{name}: import reading {total:.2f} s ({document.extractor or 'our parser'}, {len(document.paragraphs):,} "
            f"paragraphs); trafilatura alone without the cap {trafilatura_seconds:.2f} s "
            f"({'rejected' if uncapped is None else f'{len(uncapped.lines):,} lines'})"
        )


def count_hints():
    from annotations.boilerplate import boilerplate_hints
    from corpus.importing.service import _write
    from corpus.models import Article

    for path in pages():
        expected, draft = expected_of(path), draft_of(path, story_extractor=False)
        [article_id] = _write([(draft, path.stem)], None)
        article = Article.objects.get(pk=article_id)
        paragraphs = list(article.paragraphs.order_by("position"))
        hints = boilerplate_hints(article, paragraphs)
        chrome = [p for p in paragraphs if p.text not in expected["story"] and p.text != expected["title"]]
        story_hinted = [p.text for p in paragraphs if p.text in expected["story"] and p.pk in hints]
        print(
            f"{path.stem}: our parser alone, {sum(p.pk in hints for p in chrome)} of {len(chrome)} chrome lines hinted; "
            f"{len(story_hinted)} story lines hinted too"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--huge", action="store_true", help="also time 5 MB pages")
    parser.add_argument("--hints", action="store_true", help="also count the boilerplate hints on our parser's reading")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.hints:
        import tempfile

        from bench._django import setup as setup_database

        setup_database(Path(tempfile.mkdtemp()) / "pages.sqlite3")
    setup()
    columns = "page", "reader", "story kept", "marked", "chrome left", "chrome kept marked", "title", "date", "ms"
    print(" | ".join(columns))
    for path in pages():
        for story_extractor in (False, True):
            r = evaluate(path, story_extractor)
            print(
                f"{r.page} | {r.reader} | {r.story_kept}/{r.story} | {r.story_marked} | {r.chrome_left} | {r.chrome_marked} | "
                f"{'right' if r.title_right else 'WRONG'} | {'right' if r.date_right else 'WRONG'} | {r.seconds * 1000:.0f}"
            )
            if story_extractor and r.left:
                for text in r.left:
                    print(f"    left: {text[:90]}")
    if args.hints:
        count_hints()
    if args.huge:
        time_huge()


if __name__ == "__main__":
    main()
