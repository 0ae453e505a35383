"""Export benchmark: Hamish JSON of synthetic corpora, time and peak memory of the export (issue 7).

    .venv/bin/python bench/export.py                         # the issue's corpora (below)
    .venv/bin/python bench/export.py --corpora 1000x20       # quicker: 1,000 articles, 20 spans each

A corpus is ARTICLESxSPANS (spans per article); the default, 1000x20,10000x20,10000x100, is the issue's
workload (1,000 and 10,000 articles of about 40 paragraphs with 20 spans each) and the size of the
memory claim (10,000 articles, 1,000,000 spans). Corpora with the same spans per article share a database,
grown from one size to the next. Each corpus is exported, to a file:
- by `manage.py export_annotations` in its own process: the whole process (interpreter and Django start-up
  included), and the same minus Django's start-up (a `manage.py check` process), with its peak resident
  memory as the kernel reports it (wait4);
- in-process: a process sets Django up and then times the export command alone (call_command), the first
  call (its first queries, the export code's imports) and the best of --repeat calls.
Times are the best of --repeat runs for corpora of up to 1,000 articles, one run above. Other benchmarks
may share the cores: the load average is recorded with every row. Targets (issue 7): 1,000 articles under
0.2 s; peak memory flat, under 150 MB, whatever the size. Prints a table and writes bench/results/export.json.
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
EXPORT = ["manage.py", "export_annotations", "--no-progress", "--verbosity", "0"]


def run_process(args, env):
    """Wall time and peak resident memory (MB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return elapsed, usage.ru_maxrss / 1024  # KiB -> MiB


def build(database, articles, spans, *, start, env):
    output = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.build_corpus",
            str(database),
            "--articles",
            str(articles),
            "--spans",
            str(spans),
            "--start",
            str(start),
        ],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def in_process(out, repeat):
    """Run in a child with DATABASE_URL set: Django set up first, then the export command alone, timed."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hamish.settings")
    django.setup()
    from django.core.management import call_command

    times = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        call_command(*EXPORT[1:], "--out", out)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    print(
        json.dumps(
            {
                "first": times[0][0],
                "first_cpu": times[0][1],
                "best": min(t[0] for t in times),
                "best_cpu": min(t[1] for t in times),
            }
        )
    )


def measure(corpus, out, env, repeat, startup):
    """One corpus, exported by the command in its own process and in-process."""
    load_before = os.getloadavg()[0]
    runs = [run_process([*EXPORT, "--out", out], env) for _ in range(repeat)]
    seconds = min(elapsed for elapsed, _ in runs)
    peak = max(memory for _, memory in runs)
    file_mb = os.path.getsize(out) / 2**20
    output = subprocess.run(
        [sys.executable, __file__, "--in-process", out, "--repeat", str(max(repeat, 2))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    inside = json.loads(output.strip().splitlines()[-1])
    os.remove(out)
    return {
        **corpus,
        "seconds": round(seconds, 3),
        "seconds_without_startup": round(seconds - startup, 3),
        "in_process_first": round(inside["first"], 3),
        "in_process_best": round(inside["best"], 3),
        "in_process_best_cpu": round(inside["best_cpu"], 3),
        "peak_mb": round(peak, 1),
        "file_mb": round(file_mb, 1),
        "runs": repeat,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--corpora",
        default="1000x20,10000x20,10000x100",
        help="ARTICLESxSPANS (spans per article), comma-separated (default: 1000x20,10000x20,10000x100).",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="Runs per measurement for corpora of up to 1,000 articles (default 3)."
    )
    parser.add_argument("--in-process", metavar="OUT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        return in_process(args.in_process, args.repeat)
    corpora = sorted((int(spans), int(articles)) for articles, spans in (item.split("x") for item in args.corpora.split(",")))

    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-export-"))
    # This process never loads Django or the corpus: a child's peak memory (ru_maxrss) would otherwise
    # count the pages it shares with a big parent, and the numbers would grow with the corpus for that alone.
    # Production settings (DEBUG off: with DEBUG on, Django keeps every query's SQL in memory).
    base_env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-" + "k" * 50),
    }
    rows, startup = [], None
    built = {}  # spans per article -> articles in its database
    for spans_per_article, articles in corpora:
        database = workdir / f"bench-{spans_per_article}.sqlite3"
        env = {**base_env, "DATABASE_URL": f"sqlite:///{database}"}
        started = time.perf_counter()
        counts = build(
            database,
            articles - built.get(spans_per_article, 0),
            spans_per_article,
            start=built.get(spans_per_article, 0),
            env=env,
        )
        built[spans_per_article] = articles
        build_time = time.perf_counter() - started
        if startup is None:
            startup = min(run_process(["manage.py", "check", "--verbosity", "0"], env) for _ in range(args.repeat))
        repeat = args.repeat if articles <= 1000 else 1
        corpus = {"articles": counts["articles"], "spans": counts["spans"], "spans_per_article": spans_per_article}
        rows.append(
            {**measure(corpus, str(workdir / "export.json"), env, repeat, startup[0]), "build_seconds": round(build_time, 1)}
        )

    print(f"Django start-up alone (manage.py check): {startup[0]:.2f} s, {startup[1]:.0f} MB peak")
    print(
        f"{'articles':>9} {'spans':>10} {'process s':>10} {'minus start-up':>15} {'in-process':>11} "
        f"{'(first)':>8} {'peak MB':>8} {'file MB':>8} {'load':>10}"
    )
    for row in rows:
        print(
            f"{row['articles']:>9,} {row['spans']:>10,} {row['seconds']:>10.2f} {row['seconds_without_startup']:>15.2f} "
            f"{row['in_process_best']:>11.3f} {row['in_process_first']:>8.3f} {row['peak_mb']:>8.1f} {row['file_mb']:>8.1f} "
            f"{row['load_before']:>4.1f}-{row['load_after']:<4.1f}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "export.json").write_text(
        json.dumps({"startup": {"seconds": startup[0], "peak_mb": startup[1]}, "rows": rows}, indent=2)
    )
    for path in workdir.iterdir():
        path.unlink()
    workdir.rmdir()


if __name__ == "__main__":
    main()
