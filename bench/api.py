"""API benchmark: span create through POST /api/v1/spans with a bearer token, served by gunicorn on 127.0.0.1.

    .venv/bin/python bench/api.py [--saves 300] [--clients 8]

The same world as bench/web.py (its setup: a corpus and a 2,000-span article whose words are dealt out to the
clients), one token per client; median, p95, p99 with 1 client and with N, and spans per second, beside the
peers' API figures of the corpus-scale issue (doccano). The rate limit is raised for the run (it would stop a
benchmark at 600 calls a minute; its UPDATE per call is still paid). Writes bench/results/api.json.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.web import SETUP, free_port, percentile, work  # noqa: E402

PEERS = {"doccano (issue 13)": {"median_ms": 22.1, "p99_ms": 29.1, "saves_per_s": 71.9}}
TOKENS = """
import json, sys
from bench import _django
_django.setup(sys.argv[1])
from django.contrib.auth import get_user_model
from api.models import ApiToken
users = get_user_model().objects.filter(username__startswith="client").order_by("username")
print(json.dumps({u.username: ApiToken.issue(user=u, name="bench")[1] for u in users}))
"""


def code_points(text, utf16_offset):
    units = 0
    for index, char in enumerate(text):
        if units == utf16_offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text)


def run(port, paragraphs, tokens, clients, saves_each, first_user):
    texts = dict(paragraphs)
    results, errors, barrier = [], [], threading.Barrier(clients)

    def client_thread(n):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {
            "Authorization": f"Bearer {tokens[f'client{first_user + n}']}",
            "Content-Type": "application/json",
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
        }
        jobs = work(paragraphs, n, saves_each, clients)
        barrier.wait()
        for pk, start, end, quote in jobs:
            body = json.dumps(
                {
                    "paragraph": pk,
                    "start": code_points(texts[pk], start),
                    "end": code_points(texts[pk], end),
                    "quote": quote,
                    "label": "PER",
                }
            )
            started = time.perf_counter()
            connection.request("POST", "/api/v1/spans", body=body.encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            ms = (time.perf_counter() - started) * 1000
            (results if response.status == 201 else errors).append(ms if response.status == 201 else response.status)

    threads = [threading.Thread(target=client_thread, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(f"  {clients} clients: failed saves by status: { {c: errors.count(c) for c in set(errors)} }", file=sys.stderr)
    return {
        "median_ms": statistics.median(results),
        "p95_ms": percentile(results, 95),
        "p99_ms": percentile(results, 99),
        "saves_per_s": len(results) / elapsed,
        "errors": len(errors),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=300, help="Saves per client (default 300).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-api-"))
    database = workdir / "bench.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "1",
        "HAMISH_API_CALLS_PER_MINUTE": "1000000",
    }
    setup = subprocess.run(
        [sys.executable, "-c", SETUP, str(database), str(args.articles), str(args.clients + 1)],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
    )
    if setup.returncode:
        raise SystemExit(setup.stderr[-3000:])
    world = json.loads(setup.stdout.strip().splitlines()[-1])
    made = subprocess.run(
        [sys.executable, "-c", TOKENS, str(database)], cwd=ROOT, env={**env, "DEBUG": "1"}, capture_output=True, text=True
    )
    if made.returncode:
        raise SystemExit(made.stderr[-3000:])
    tokens = json.loads(made.stdout.strip().splitlines()[-1])
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hamish.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
            "--no-control-socket",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    rows = {}
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        for clients, first_user in ((1, args.clients), (args.clients, 0)):
            rows[f"Hamish API, {clients} client{'s' if clients > 1 else ''}"] = run(
                port, world["paragraphs"], tokens, clients, args.saves, first_user
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    rows.update(PEERS)
    print(f"  {'span create':<28} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8} {'spans/s':>8}")
    for name, row in rows.items():
        p95 = f"{row['p95_ms']:>8.1f}" if "p95_ms" in row else f"{'':>8}"
        print(f"  {name:<28} {row['median_ms']:>10.1f} {p95} {row['p99_ms']:>8.1f} {row['saves_per_s']:>8.1f}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "api.json").write_text(json.dumps(rows, indent=2))
    subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    main()
