"""Search, near-duplicate and suggestion benchmark on a synthetic corpus (default 10,000 articles).

    .venv/bin/python bench/search.py [--articles 10000] [--imports 20]

Measures, on a throwaway SQLite database (or DATABASE_URL):
- building the corpus the way the import writes it (articles, paragraphs and their search index rows), then
  rebuilding the search index for the whole corpus, and the near-duplicate pass over the whole corpus;
- search latency for a fixed set of queries, through the service and through the search page (median, p95);
- near-duplicate detection on import: articles carrying paragraphs of the corpus (as outlets copy
  statements) imported one at a time through the service, which matches each at once (median, p95 per
  article, all included), and the lookup the reading view makes per paragraph (median, p95);
- suggestions for one article (entity names of 40 canonical entities, and carried-over spans).
Prints a table (with the load average: other benchmarks may share the machine) and writes
bench/results/search.json.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUERIES = [
    "العباسي",
    "عباسي",
    "الامريكية",
    "وزير الدفاع",
    "داعش",
    "التحالف الدولي",
    "لويد أوستن",
    "بغداد واشنطن",
    "الوجود العسكري",
    "سيليست",
    "2023",
    "التعاون الأمني",
    "العراق",
    "الحوار الاستراتيجي",
    "قوات",
]
ENTITIES = [
    ("لويد أوستن", "PER"),
    ("ثابت العباسي", "PER"),
    ("دانا سترول", "PER"),
    ("سيليست واندر", "PER"),
    ("العراق", "LOC"),
    ("واشنطن", "LOC"),
    ("بغداد", "LOC"),
    ("داعش", "ORG"),
    ("البنتاغون", "ORG"),
    ("التحالف الدولي", "ORG"),
]


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
    parser.add_argument("--imports", type=int, default=20, help="Articles imported one by one for the near-duplicate timing.")
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
    from corpus.models import Article, FamilyMember, Paragraph, ParagraphFamily

    rows = {"load average at start (1 min)": os.getloadavg()[0]}
    started = time.perf_counter()
    build(args.articles, 20, index=True)
    rows["build corpus with search index (s)"] = time.perf_counter() - started
    paragraphs = Paragraph.objects.count()
    started = time.perf_counter()
    duplicates.process_pending()
    rows["near-duplicate pass, whole corpus (s)"] = time.perf_counter() - started
    rows["near-duplicate families across articles"] = ParagraphFamily.objects.filter(articles__gt=1).count()
    rows["near-duplicate members stored (one per paragraph placed)"] = FamilyMember.objects.count()
    started = time.perf_counter()
    search.rebuild()
    rows["search index rebuilt, whole corpus (s)"] = time.perf_counter() - started

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

    # Articles carrying paragraphs of the corpus (as outlets copy statements): their matches must be found.
    seeds, imports, found = demo_articles(), [], 0
    for k in range(args.imports):
        source = (21 + 97 * k) % args.articles  # an article of the corpus
        new_text = "\n".join(article_text(source, seeds)[:10] + [f"مقال جديد للاختبار رقم {k}."]).encode()
        started = time.perf_counter()
        report = import_files([IncomingFile(f"new-{k}.txt", data=new_text)])
        imports.append((time.perf_counter() - started) * 1000)
        new_article = Article.objects.get(pk=report.outcomes[0].article_id)
        found += len(duplicates.matches_of(list(new_article.paragraphs.values_list("pk", flat=True))))
    rows["import one article incl. near-duplicates: median (ms)"] = statistics.median(imports)
    rows["import one article incl. near-duplicates: p95 (ms)"] = percentile(imports, 95)
    rows["imported articles' paragraphs with versions (of 10 copied each)"] = found / args.imports
    sample = list(Paragraph.objects.order_by("pk").values_list("pk", flat=True)[:: max(1, paragraphs // 200)])
    lookups = [t for pk in sample for t in timed(lambda pk=pk: duplicates.matches_of([pk]), 1)]
    rows["near-duplicates of one paragraph (reading view): median (ms)"] = statistics.median(lookups)
    rows["near-duplicates of one paragraph (reading view): p95 (ms)"] = percentile(lookups, 95)

    labels = {label.name: label for label in Label.objects.all()}
    for name, label in ENTITIES:
        Entity.objects.get_or_create(name=name, label=labels[label])
    article = Article.objects.order_by("pk")[1]
    own = list(Span.objects.filter(paragraph__article=article, author=user))
    article_paragraphs = list(article.paragraphs.order_by("position"))
    suggestion_times = timed(lambda: suggestions_for(user, article_paragraphs, own_spans=own), 20)
    rows["suggestions for one article: median (ms)"] = statistics.median(suggestion_times)
    rows["suggestions for one article: p95 (ms)"] = percentile(suggestion_times, 95)
    rows["load average at end (1 min)"] = os.getloadavg()[0]

    print(f"Corpus: {args.articles:,} articles, {paragraphs:,} paragraphs")
    for name, value in rows.items():
        print(f"  {name:<64} {value:>10.1f}" if isinstance(value, float) else f"  {name:<64} {value:>10}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "search.json").write_text(
        json.dumps({"articles": args.articles, "paragraphs": paragraphs, **rows}, indent=2, ensure_ascii=False)
    )
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
