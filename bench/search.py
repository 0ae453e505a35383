"""Search, near-duplicate and suggestion benchmark on a synthetic corpus (default 10,000 articles).

    .venv/bin/python bench/search.py [--articles 10000]

Measures, on a throwaway SQLite database (or DATABASE_URL):
- building the search index and matching near-duplicates for the whole corpus;
- search latency for a fixed set of queries, through the service and through the search page (median, p95);
- near-duplicate detection for one newly imported article (the import does it);
- suggestions for one article (entity names of 40 canonical entities, and carried-over spans).
Prints a table and writes bench/results/search.json.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = ["العباسي", "عباسي", "الامريكية", "وزير الدفاع", "داعش", "التحالف الدولي", "لويد أوستن", "بغداد واشنطن",
           "الوجود العسكري", "سيليست", "2023", "التعاون الأمني", "العراق", "الحوار الاستراتيجي", "قوات"]
ENTITIES = [("لويد أوستن", "PER"), ("ثابت العباسي", "PER"), ("دانا سترول", "PER"), ("سيليست واندر", "PER"),
            ("العراق", "LOC"), ("واشنطن", "LOC"), ("بغداد", "LOC"), ("داعش", "ORG"), ("البنتاغون", "ORG"),
            ("التحالف الدولي", "ORG")]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-search-"))
    from bench import _django

    _django.setup(workdir / "bench.sqlite3")
    from django.contrib.auth import get_user_model
    from django.test import Client

    from annotations.models import Entity, Label, Span
    from annotations.suggestions import suggestions_for
    from bench.synthetic import article_text, build, demo_articles
    from corpus import duplicates, search
    from corpus.importing import IncomingFile, import_files
    from corpus.models import Article, Paragraph

    rows = {}
    started = time.perf_counter()
    build(args.articles, 20)
    rows["build corpus (s)"] = time.perf_counter() - started
    paragraphs = Paragraph.objects.count()
    started = time.perf_counter()
    search.rebuild()
    rows["search index, whole corpus (s)"] = time.perf_counter() - started
    started = time.perf_counter()
    duplicates.rebuild()
    rows["near-duplicates, whole corpus (s)"] = time.perf_counter() - started
    rows["near-duplicate pairs found"] = duplicates.ParagraphMatch.objects.count()

    service = [t for q in QUERIES for t in timed(lambda q=q: search.matching_ids(q), 5)]
    rows["search, service: median (ms)"] = statistics.median(service)
    rows["search, service: p95 (ms)"] = percentile(service, 95)
    user = get_user_model().objects.create_user("bench-reader")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    assert client.get("/search/", {"q": "العراق"}).status_code == 200
    page = [t for q in QUERIES for t in timed(lambda q=q: client.get("/search/", {"q": q}), 3)]
    rows["search page: median (ms)"] = statistics.median(page)
    rows["search page: p95 (ms)"] = percentile(page, 95)

    # An article carrying paragraphs of the corpus (as outlets copy statements): its matches must be found.
    new_text = "\n".join(article_text(21, demo_articles())[:10] + ["مقال جديد للاختبار."]).encode()
    started = time.perf_counter()
    report = import_files([IncomingFile("new.txt", data=new_text)])
    rows["import one article incl. near-duplicates (ms)"] = (time.perf_counter() - started) * 1000
    new_article = Article.objects.get(pk=report.outcomes[0].article_id)
    rows["matches of the new article"] = len(duplicates.matches_of(list(new_article.paragraphs.values_list("pk", flat=True))))

    labels = {label.name: label for label in Label.objects.all()}
    for name, label in ENTITIES:
        Entity.objects.get_or_create(name=name, label=labels[label])
    article = Article.objects.order_by("pk")[1]
    own = list(Span.objects.filter(paragraph__article=article, author=user))
    article_paragraphs = list(article.paragraphs.order_by("position"))
    suggestion_times = timed(lambda: suggestions_for(user, article_paragraphs, own_spans=own), 20)
    rows["suggestions for one article: median (ms)"] = statistics.median(suggestion_times)
    rows["suggestions for one article: p95 (ms)"] = percentile(suggestion_times, 95)

    print(f"Corpus: {args.articles:,} articles, {paragraphs:,} paragraphs")
    for name, value in rows.items():
        print(f"  {name:<48} {value:>10.1f}" if isinstance(value, float) else f"  {name:<48} {value:>10}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "search.json").write_text(json.dumps({"articles": args.articles, "paragraphs": paragraphs, **rows}, indent=2, ensure_ascii=False))
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
