"""Export benchmark: Hamish JSON of a synthetic corpus at growing sizes, time and peak memory of the export.

    .venv/bin/python bench/export.py                 # 1,000 and 10,000 articles, 100 spans each (1,000,000 spans)
    .venv/bin/python bench/export.py --sizes 1000    # quicker

Each size is exported by `manage.py export_annotations` in its own process, whose peak resident memory
the kernel reports (wait4). Targets (issue 5 and 7): 1,000 articles under 0.2 s; peak memory flat,
under 150 MB, whatever the size. Prints a table and writes bench/results/export.json.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def export_once(database, out, env):
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "manage.py", "export_annotations", "--out", out, "--no-progress", "--verbosity", "0"],
        cwd=ROOT, env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"export failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024  # KiB -> MiB


def build(database, articles, spans, *, start, env):
    output = subprocess.run(
        [sys.executable, "-m", "bench.build_corpus", str(database), "--articles", str(articles), "--spans", str(spans), "--start", str(start)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def baseline(env):
    """Time and memory of a process that starts Django and exports nothing: subtracted to show the export's own cost."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "manage.py", "check", "--verbosity", "0"], cwd=ROOT, env=env)
    _, _, usage = os.wait4(process.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="Article counts, comma-separated (default 1000,10000).")
    parser.add_argument("--spans", type=int, default=100, help="Spans per article (default 100).")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-export-"))
    database = workdir / "bench.sqlite3"
    # This process never loads Django or the corpus: a child's peak memory (ru_maxrss) would otherwise
    # count the pages it shares with a big parent, and the numbers would grow with the corpus for that alone.
    # Production settings (DEBUG off: with DEBUG on, Django keeps every query's SQL in memory).
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "0",
           "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-" + "k" * 50)}
    start_time, start_memory = baseline(env)
    rows, built = [], 0
    for size in sizes:
        t0 = time.perf_counter()
        counts = build(database, size - built, args.spans, start=built, env=env)
        built = size
        build_time = time.perf_counter() - t0
        spans = counts["spans"]
        out = str(workdir / f"export-{size}.json")
        elapsed, peak = export_once(database, out, env)
        rows.append({"articles": size, "spans": spans, "seconds": round(elapsed, 3),
                     "seconds_without_startup": round(elapsed - start_time, 3), "peak_mb": round(peak, 1),
                     "file_mb": round(os.path.getsize(out) / 2**20, 1), "build_seconds": round(build_time, 1)})
        os.remove(out)

    print(f"Django start-up alone: {start_time:.2f} s, {start_memory:.0f} MB peak")
    print(f"{'articles':>9} {'spans':>10} {'export s':>9} {'minus start-up':>15} {'peak MB':>8} {'file MB':>8}")
    for row in rows:
        print(f"{row['articles']:>9,} {row['spans']:>10,} {row['seconds']:>9.2f} {row['seconds_without_startup']:>15.2f} {row['peak_mb']:>8.1f} {row['file_mb']:>8.1f}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "export.json").write_text(json.dumps({"startup": {"seconds": start_time, "peak_mb": start_memory}, "rows": rows}, indent=2))
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
