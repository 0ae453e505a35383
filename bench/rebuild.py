"""`rebuild_indexes` at scale: time and memory of rebuilding the search index and the near-duplicate families.

    .venv/bin/python bench/rebuild.py [--articles 10000 30000 100000] [--keep]

For each size, a throwaway SQLite database is migrated and filled with bench/duplicates.py's corpus written
straight into the tables (articles of 10 outlets, 8 paragraphs of agency copy drawn from a pool of 300, one
paragraph of their own, their outlet's 3 chrome lines: 13 paragraphs each), unindexed. Then, in a fresh
process with production settings (DEBUG off), the two steps of `manage.py rebuild_indexes` run one after the
other; after every committed batch the process notes its resident memory (VmRSS), so the table shows whether
memory stays flat as the corpus grows: the peak (ru_maxrss) and the RSS at a quarter, half and the end of each
step. Prints a table, writes bench/results/rebuild.json.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Writes the corpus (no index rows, nothing queued), in its own process: the builder's memory is not measured.
BUILD = """
import hashlib, sys
from bench import _django
_django.setup(sys.argv[1])
from django.db import connection, transaction
from django.utils import timezone
from bench.duplicates import synthetic_files
from corpus.models import Source
count, step = int(sys.argv[2]), 5000
sources = {}
now = connection.ops.adapt_datetimefield_value(timezone.now())
for first in range(0, count, step):
    files = synthetic_files(min(step, count - first), start=first)
    with transaction.atomic(), connection.cursor() as cursor:
        for name, _incoming in files:
            if name not in sources:
                sources[name] = Source.objects.get_or_create(name=name)[0].pk
        rows = []
        for name, incoming in files:
            text = incoming.data.decode()
            rows.append((sources[name], text.split("\\n", 1)[0], "", None, "ar", hashlib.sha256(text.encode()).hexdigest(),
                         incoming.name, None, now))
        cursor.executemany(
            "INSERT INTO corpus_article (source_id, title, url, published_on, language, content_hash, original_filename, "
            "imported_by_id, imported_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        cursor.execute("SELECT id, content_hash FROM corpus_article WHERE id > (SELECT COALESCE(MAX(article_id), 0) FROM corpus_paragraph)")
        ids = {digest: pk for pk, digest in cursor.fetchall()}
        paragraphs = []
        for (name, incoming), row in zip(files, rows):
            for position, line in enumerate(incoming.data.decode().split("\\n")):
                paragraphs.append((ids[row[5]], position, line))
        cursor.executemany("INSERT INTO corpus_paragraph (article_id, position, text) VALUES (%s, %s, %s)", paragraphs)
print(count)
"""
# The two steps of rebuild_indexes, timed, with the process's RSS after each committed batch.
REBUILD = """
import json, resource, sys, time
from bench import _django
_django.setup(sys.argv[1])
from corpus import duplicates, search
from corpus.models import Article, Paragraph, ParagraphFamily

def rss_mib():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

result = {"paragraphs": Paragraph.objects.count(), "articles": Article.objects.count(), "rss_start_mib": rss_mib()}
for step, run in (
    ("search", lambda note: search.rebuild(progress=lambda n, _last: note(n))),
    ("duplicates", lambda note: duplicates.rebuild(progress=note)),
):
    samples, done, started = [], [0], time.perf_counter()

    def note(n):
        done[0] += n
        samples.append((done[0], rss_mib()))

    run(note)
    result[step] = {"seconds": time.perf_counter() - started, "samples": samples}
result["families_across_articles"] = ParagraphFamily.objects.filter(articles__gt=1).count()
result["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""


def run(script, *args, env, timeout):
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return result.stdout.strip().splitlines()[-1]


def at(samples, share):
    """RSS when `share` of the step was done."""
    if not samples:
        return 0.0
    total = samples[-1][0]
    return next(rss for done, rss in samples if done >= share * total)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, nargs="+", default=[10000, 30000])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-rebuild-"))
    base = {**os.environ, "PYTHONPATH": str(ROOT), "DEBUG": "0", "SECRET_KEY": "benchmark-only-" + "k" * 50}
    base.update({"ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"})
    rows, load_before = [], os.getloadavg()[0]
    try:
        for count in args.articles:
            database = workdir / f"rebuild-{count}.sqlite3"
            env = {**base, "DATABASE_URL": f"sqlite:///{database}"}
            started = time.perf_counter()
            run(BUILD, database, count, env=env, timeout=3600)
            built = time.perf_counter() - started
            result = json.loads(run(REBUILD, database, env=env, timeout=7200))
            result.update(articles_built=count, build_seconds=built, database_mib=database.stat().st_size / 2**20)
            rows.append(result)
            print(
                f"{count:,} articles: search {result['search']['seconds']:.1f} s, "
                f"duplicates {result['duplicates']['seconds']:.1f} s, peak {result['peak_mib']:.0f} MiB",
                file=sys.stderr,
            )
    finally:
        if args.keep:
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"rebuild_indexes, {os.cpu_count()} cores, load {load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    print(
        "| articles | paragraphs | search index | per 1,000 paragraphs | RSS ¼ / ½ / end | near-duplicates | per 1,000 "
        "articles | RSS ¼ / ½ / end | peak RSS |\n|---|---|---|---|---|---|---|---|---|"
    )
    for r in rows:
        s, d = r["search"], r["duplicates"]
        print(
            f"| {r['articles']:,} | {r['paragraphs']:,} | {s['seconds']:.1f} s | {1000 * s['seconds'] / r['paragraphs']:.2f} s | "
            + " / ".join(f"{at(s['samples'], q):.0f}" for q in (0.25, 0.5, 1.0))
            + f" MiB | {d['seconds']:.1f} s | {1000 * d['seconds'] / r['articles']:.2f} s | "
            + " / ".join(f"{at(d['samples'], q):.0f}" for q in (0.25, 0.5, 1.0))
            + f" MiB | {r['peak_mib']:.0f} MiB |"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    for r in rows:  # the samples, thinned: every 10th
        for step in ("search", "duplicates"):
            r[step]["samples"] = r[step]["samples"][::10] + r[step]["samples"][-1:]
    (results / "rebuild.json").write_text(json.dumps({"load_before": load_before, "runs": rows}, indent=2))


if __name__ == "__main__":
    main()
