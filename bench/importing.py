"""Import benchmark: `manage.py import_articles DIR` of N synthetic article files into an empty SQLite database.

    .venv/bin/python bench/importing.py [--files 10000] [--batch-size N] [--profile OUT.prof] [--keep]

The files are bench/synthetic.py's article_text (one paragraph per line, as bench/web.py writes them) in a
temporary folder; a throwaway database is migrated first, then the command runs in its own process with
production-like settings (DEBUG off, SECRET_KEY set). Timed: the whole command (process start to exit).
The command itself reports its phases (storing with the search index, then the near-duplicate pass), which
are shown separately. Target (issue 7): at least 5,000 articles/s. Prints a table, writes
bench/results/import.json (with the machine's load average, since other benchmarks may share the cores).
"""

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PHASE = re.compile(r"^(stored|near-duplicates): .*? in ([0-9.]+) s", re.MULTILINE)


def write_files(folder, count):
    from bench.synthetic import article_text, demo_articles

    seeds = demo_articles()
    total = 0
    for n in range(count):
        data = "\n".join(article_text(n + 100000, seeds)).encode("utf-8")  # the numbers bench/web.py uses
        (folder / f"{n:05}.txt").write_bytes(data)
        total += len(data)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--batch-size", type=int, default=None, help="Passed to the command (default: its own).")
    parser.add_argument("--profile", metavar="OUT", help="Run the command under cProfile, writing OUT (slower).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder and database (prints where).")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-import-"))
    files = workdir / "files"
    files.mkdir()
    database = workdir / "import.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    try:
        size = write_files(files, args.files)
        subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
        command = [sys.executable]
        if args.profile:
            command += ["-m", "cProfile", "-o", str(Path(args.profile).resolve())]
        command += ["manage.py", "import_articles", str(files), "--no-progress"]
        if args.batch_size:
            command += ["--batch-size", str(args.batch_size)]
        load_before = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if result.returncode:
            raise SystemExit(f"import failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
        phases = {name: float(seconds) for name, seconds in PHASE.findall(result.stdout)}
        check = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(*[c.execute(q).fetchone()[0] for q in ("
                "'SELECT COUNT(*) FROM corpus_article', 'SELECT COUNT(*) FROM corpus_paragraph', "
                "'SELECT COUNT(*) FROM corpus_paragraph_fts', 'SELECT COUNT(*) FROM corpus_paragraphmatch')])",
                str(database),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        articles, paragraphs, indexed, pairs = map(int, check.stdout.split())
        assert articles == args.files and indexed == paragraphs, (articles, paragraphs, indexed)
        rows = {
            "articles": articles,
            "paragraphs": paragraphs,
            "input MB": size / 1e6,
            "command seconds (process start to exit)": elapsed,
            "articles/s, whole command": articles / elapsed,
            "command CPU seconds (all its processes)": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        }
        if "stored" in phases:
            rows["phase: store + search index (s)"] = phases["stored"]
            rows["articles/s, store + search index"] = articles / phases["stored"]
        if "near-duplicates" in phases:
            rows["phase: near-duplicate pass (s)"] = phases["near-duplicates"]
        rows["near-duplicate pairs"] = pairs
        rows["database MB"] = sum(p.stat().st_size for p in workdir.glob("import.sqlite3*")) / 1e6
        rows["load average before (1 min)"] = load_before[0]
        rows["load average after (1 min)"] = os.getloadavg()[0]
        print(
            f"CLI import, {args.files:,} synthetic files ({size / 1e6:.0f} MB), empty SQLite database"
            + (" [under cProfile]" if args.profile else "")
        )
        for name, value in rows.items():
            print(f"  {name:<44} {value:>10.2f}" if isinstance(value, float) else f"  {name:<44} {value:>10}")
        for line in result.stdout.splitlines()[-4:]:
            print(f"  | {line}")
        if not args.profile:
            results = ROOT / "bench" / "results"
            results.mkdir(exist_ok=True)
            (results / "import.json").write_text(json.dumps({"files": args.files, **rows}, indent=2))
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
