"""Hamish against its peers (issue 13, "Speed, against the peers, on their workload"), every line in one run.

    .venv/bin/python bench/peers.py [--docs 10000] [--saves 300] [--clients 8] [--quick] [--keep]

Production settings: DEBUG off, collected static files, gunicorn as gunicorn.conf.py configures it (its workers,
threads, preload) plus the background worker (`manage.py db_worker`), both on 127.0.0.1 against a throwaway SQLite
database in a temporary folder (never db.sqlite3). The HTTP clients are bench/web.py's (session cookie, CSRF token,
htmx headers). The corpus is bench/duplicates.py's: articles drawn from a pool of agency paragraphs taken from the
demo articles, each with its outlet's chrome lines, so the near-duplicate pass has real work. The lines:
1. start-up: gunicorn and the worker launched -> first 200 on the login page;
2. memory: PSS (/proc/PID/smaps_rollup) of the gunicorn master, its workers and the worker, after page loads;
3. import 1,000 docs through the web: one .zip POSTed to /import/ as an admin, from the POST until the job is
   done, near-duplicate pass included (the job runs it at its end); the job must report every doc imported;
4. the same with --docs (10,000; 2,000 with --quick) into a fresh database, the docs split into archives of at
   most HAMISH_IMPORT_MAX_ARCHIVE_MEMBERS files (the default limit) sent in the same POST;
5./6. span saves with 1 and with --clients clients (bench/web.py's run_saves), on a 200-paragraph article;
7. the article page of a document with 500 spans: median of 20 loads after one;
8. the whole corpus of line 3 with 3,500 spans, streamed by one GET of /export/download/ (Hamish JSON and
   doccano JSONL): median of 3 downloads.
The peers' figures are the issue's (same machine, 2026-12-01). A line that cannot be measured says why.
Prints a table, writes bench/results/peers.json.
"""

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import PASSWORD, SETUP, Session, free_port, run_saves  # noqa: E402

ADMIN = "benchadmin"
# Migrate the throwaway database, add an admin, write the upload archives (bench/duplicates.py's corpus).
PREPARE = """
import json, sys, zipfile
from bench import _django
_django.setup(sys.argv[1])
from django.conf import settings
from django.contrib.auth import get_user_model
from bench.duplicates import synthetic_files
get_user_model().objects.create_superuser(sys.argv[2], password=sys.argv[3])
limit = settings.HAMISH_IMPORT_MAX_ARCHIVE_MEMBERS
archives = {}
for count in map(int, sys.argv[5:]):
    files = [incoming for _outlet, incoming in synthetic_files(count)]
    archives[count] = []
    for part, first in enumerate(range(0, count, limit)):
        path = f"{sys.argv[4]}/docs-{count}-{part}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for incoming in files[first:first + limit]:
                archive.writestr(incoming.name, incoming.data)
        archives[count].append(path)
print(json.dumps(archives))
"""
# 3,500 spans on the imported articles (whole words, as bench/synthetic.py tags them): the export's workload.
SPANS = """
import re, sys
from bench import _django
_django.setup(sys.argv[1])
from django.contrib.auth import get_user_model
from annotations.models import Label, Span
from corpus.models import Paragraph
total, author = int(sys.argv[2]), get_user_model().objects.get(username=sys.argv[3])
labels = list(Label.objects.filter(name__in=["PER", "ORG", "LOC", "MISC"]).order_by("name"))
by_article = {}
for pk, article, text in Paragraph.objects.order_by("article_id", "position").values_list("pk", "article_id", "text"):
    by_article.setdefault(article, []).extend((pk, text, m.start(), m.end()) for m in re.finditer(r"\\S+", text))
articles, spans = list(by_article.values()), []
for k in range(total):
    words = articles[k % len(articles)]
    pk, text, a, b = words[(k // len(articles)) * 7 % len(words)]
    spans.append(Span(paragraph_id=pk, start=a, end=b, text=text[a:b], label=labels[k % 4], author=author))
Span.objects.bulk_create(spans, batch_size=2000)
print(Span.objects.count())
"""
# (key, line, doccano, Label Studio, how Hamish is compared: [(figure, doccano's, higher is better)])
PEERS = {
    "startup": ("start-up, launch -> first 200", "2.82 s", "6.18 s"),
    "memory": ("memory after start (PSS, web + workers)", "517 MiB", "259 MiB"),
    "import_small": ("import 1,000 docs through the web", "1.73 s (579/s)", "0.78 s (1,276/s)"),
    "import_big": ("import {docs:,} docs through the web", "5.49 s (1,823/s)", "6.35 s (1,574/s)"),
    "save_one": ("span write alone, p50 / p99", "22.1 / 29.1 ms", "139 / 176 ms"),
    "save_many": ("span writes, {clients} clients: rate, p99", "71.9/s, 197 ms", "7.6/s, 2,080 ms"),
    "page": ("one document with 500 spans", "94.9 ms", "968 ms"),
    "export": ("export 1,000 docs + 3,500 spans", "2.16 s", "5.49 s"),
}
DOCCANO = {
    "startup": [2.82],
    "memory": [517],
    "import_small": [1.73],
    "import_big": [5.49],
    "save_one": [22.1, 29.1],
    "save_many": [71.9, 197],
    "page": [94.9],
    "export": [2.16, 2.16],
}
HIGHER_IS_BETTER = {("save_many", 0)}


class Uploader(Session):
    """bench/web.py's session, able to send a multipart form (the import page's upload) and see the redirect."""

    def upload(self, path, fields, files):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            for name, value in fields.items()
        ]
        for name, file in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file.name}"\r\n'
                "Content-Type: application/zip\r\n\r\n".encode()
                + file.read_bytes()
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        origin = f"https://127.0.0.1:{self.port}"
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + path,
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "X-CSRFToken": self.cookies["csrftoken"],
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        self.connection.request("POST", path, body=body, headers=headers)
        response = self.connection.getresponse()
        return response.status, response.getheader("Location", ""), response.read()


class Server:
    """gunicorn (gunicorn.conf.py) and one db_worker on a database; stopped by their PIDs, whatever happens."""

    def __init__(self, env, workdir, name):
        self.env, self.port, self.processes = env, free_port(), []
        self.logs = [workdir / f"{name}-gunicorn.log", workdir / f"{name}-worker.log"]

    def start(self):
        commands = [
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hamish.wsgi",
                "-c",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--access-logfile",
                "/dev/null",
                "--no-control-socket",
            ],  # gunicorn 27 otherwise shares ~/.gunicorn
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.1"],  # as scripts/serve runs it
        ]
        for command, log in zip(commands, self.logs):
            # A session of its own, so that stop() can reach the processes each one forks (gunicorn's workers).
            self.processes.append(
                subprocess.Popen(
                    command, cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
                )
            )

    def wait_ready(self, timeout):
        """Seconds until the login page answers 200 (timed by the caller from before start())."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(process.poll() is not None for process in self.processes):
                raise RuntimeError(f"a process exited at start-up: {self.tail()}")
            try:
                if Session(self.port).request("GET", "/accounts/login/")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise TimeoutError(f"no 200 on the login page within {timeout} s")

    def tree(self, index):
        """The PIDs of the process started `index`-th (0 gunicorn's master, 1 the worker) and its descendants."""
        found, queue = [], [self.processes[index].pid]
        while queue:
            pid = queue.pop(0)
            found.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    queue.extend(int(child) for child in (task / "children").read_text().split())
                except OSError:
                    pass
        return found

    def tail(self):
        return " | ".join(log.read_text(errors="replace")[-800:] for log in self.logs if log.exists())

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()  # gunicorn stops its workers gracefully; the worker finishes its task step
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for process in self.processes:  # anything a process left in its own session (a stuck worker)
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.processes = []


def pss_mib(pids):
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def python(script, *args, env, timeout):
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        cwd=ROOT,
        env={**env, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def import_through_web(server, database, archives, expected, timeout):
    """POST the archives to the import page as the admin; poll the job (its row, and its status partial once a
    second as the open page does) until it ends. Returns the figures, or raises with what went wrong."""
    session = Uploader(server.port)
    session.login(ADMIN)
    status, page = session.request("GET", "/import/")
    assert status == 200, f"import page: {status}"
    started = time.perf_counter()
    status, location, body = session.upload(
        "/import/",
        {"csrfmiddlewaretoken": session.cookies["csrftoken"], "source": ""},
        [("files", Path(path)) for path in archives],
    )
    answered = time.perf_counter() - started
    if status != 302 or "/jobs/" not in location:
        raise RuntimeError(f"the upload answered {status}: {body[:300].decode(errors='replace')}")
    job_id = int(location.rstrip("/").rsplit("/", 1)[1])
    reader = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    last_poll = 0.0
    try:
        while True:
            elapsed = time.perf_counter() - started
            row = reader.execute(
                "SELECT status, imported, already_imported, rejected, error, "
                "(julianday(started_at) - julianday(created_at)) * 86400, "
                "(julianday(finished_at) - julianday(started_at)) * 86400 FROM jobs_job WHERE id = ?",
                (job_id,),
            ).fetchone()
            if row[0] in ("done", "failed", "cancelled"):
                break
            if elapsed > timeout:
                stored = reader.execute("SELECT COUNT(*) FROM corpus_article").fetchone()[0]
                raise TimeoutError(f"job still {row[0]} after {timeout} s ({stored:,} of {expected:,} stored)")
            if elapsed - last_poll >= 1:
                last_poll = elapsed
                session.request("GET", f"/jobs/{job_id}/status/", headers={"HX-Request": "true"})
            time.sleep(0.05)
        articles = reader.execute("SELECT COUNT(*) FROM corpus_article").fetchone()[0]
    finally:
        reader.close()
    if row[0] != "done" or row[1] != expected or articles != expected:
        raise RuntimeError(
            f"job {row[0]}: {row[1]} imported, {row[2]} already, {row[3]} rejected, {articles} articles "
            f"(expected {expected}) {row[4]}"
        )
    return {
        "seconds": elapsed,
        "docs": expected,
        "per_s": expected / elapsed,
        "upload_answered_s": answered,
        "queued_s": row[5],
        "worker_s": row[6],
        "archives": len(archives),
    }


def export_downloads(port, repeat):
    session = Session(port)
    session.login(ADMIN)
    result = {}
    for name in ("hamish", "doccano"):
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            status, data = session.request("GET", f"/export/download/?format={name}")
            times.append(time.perf_counter() - started)
            assert status == 200, f"{name} export: {status}"
        if name == "hamish":
            articles = json.loads(data)["articles"]
            counted = (len(articles), sum(len(article.get("spans", ())) for article in articles))
        else:
            records = [json.loads(line) for line in data.decode().splitlines() if line.strip()]
            counted = (len(records), sum(len(record["label"]) for record in records))
        result[name] = {"seconds": statistics.median(times), "articles": counted[0], "spans": counted[1], "mb": len(data) / 1e6}
    return result


def page_loads(port, article, loads=21):
    session = Session(port)
    session.login("bench0")  # the spans' author: the reading view shows one's own spans by default
    times = []
    for _ in range(loads):
        started = time.perf_counter()
        status, _ = session.request("GET", f"/articles/{article}/")
        times.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
    return statistics.median(times[1:])


def warm_workers(port, count):
    """Page loads on fresh connections at once, so that every worker has served a request before memory is read.
    One login shared by all (parallel logins of one name meet the login rate limit, as they should)."""
    admin = Session(port)
    admin.login(ADMIN)

    def load():
        session = Session(port)
        session.cookies = dict(admin.cookies)
        assert session.request("GET", "/")[0] == 200

    threads = [threading.Thread(target=load) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(name, results, step):
    """Run one line; a line that fails or times out records why instead of a figure."""
    started = time.perf_counter()
    try:
        results[name] = step()
    except Exception as exc:  # noqa: BLE001 -- reported as the line's figure; the other lines still run
        results[name] = {"error": f"{type(exc).__name__}: {str(exc)[:400]}"}
    print(f"  {name}: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def figures(key, result):
    """(Hamish's text, its numbers in the order of DOCCANO[key])."""
    if key == "startup":
        return f"{result['seconds']:.2f} s", [result["seconds"]]
    if key == "memory":
        return f"{result['mib']:.0f} MiB ({result['web_mib']:.0f} web + {result['worker_mib']:.0f} worker)", [result["mib"]]
    if key.startswith("import"):
        return f"{result['seconds']:.2f} s ({result['per_s']:,.0f}/s)", [result["seconds"]]
    if key == "save_one":
        return f"{result['median_ms']:.1f} / {result['p99_ms']:.1f} ms", [result["median_ms"], result["p99_ms"]]
    if key == "save_many":
        return f"{result['saves_per_s']:.1f}/s, {result['p99_ms']:.0f} ms", [result["saves_per_s"], result["p99_ms"]]
    if key == "page":
        return f"{result['median_ms']:.1f} ms", [result["median_ms"]]
    hamish, doccano = result["hamish"], result["doccano"]
    return f"{hamish['seconds']:.2f} s (Hamish JSON), {doccano['seconds']:.2f} s (doccano JSONL)", [
        hamish["seconds"],
        doccano["seconds"],
    ]


def notes(results):
    """What the table's figures are made of, where it helps to read them."""
    found = []
    if "gunicorn_workers" in results.get("memory", {}):
        found.append(f"gunicorn workers: {results['memory']['gunicorn_workers']} (gunicorn.conf.py's default, 2 x cores + 1)")
    for key in ("import_small", "import_big"):
        result = results.get(key, {})
        if "seconds" in result:
            found.append(
                f"import of {result['docs']:,} ({result['archives']} archive(s), one POST): the upload answered in "
                f"{result['upload_answered_s']:.2f} s, the job waited {result['queued_s']:.2f} s for the worker "
                f"(it polls every second), the worker took {result['worker_s']:.2f} s (storing + near-duplicate pass)"
            )
    if "queries" in results.get("page", {}):
        found.append(f"article page with 500 spans: {results['page']['queries']} queries")
    for key in ("save_one", "save_many"):
        if results.get(key, {}).get("errors"):
            found.append(f"{key}: {results[key]['errors']} failed saves (not counted in the figures)")
    return found


def compare(key, numbers, docs):
    peer = list(DOCCANO[key])
    if key == "import_big" and docs != 10000:  # the peers imported 10,000: compare rates instead of times
        peer, numbers = [10000 / peer[0]], [docs / numbers[0]]
    ratios, ahead = [], True
    for i, (ours, theirs) in enumerate(zip(numbers, peer)):
        ratios.append(ours / theirs)
        higher = (key, i) in HIGHER_IS_BETTER or (key == "import_big" and docs != 10000)
        ahead &= ours >= theirs if higher else ours <= theirs
    return " / ".join(f"{ratio:.2f}" for ratio in ratios), "ahead" if ahead else "behind"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000, help="Docs of the large import (default 10,000).")
    parser.add_argument("--saves", type=int, default=300, help="Span saves per client (default 300).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="2,000 docs and 100 saves per client: a run of a few minutes.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (databases, logs) and print where.")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.saves = 2000, 100
    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-peers-"))
    small, big = workdir / "small.sqlite3", workdir / "big.sqlite3"
    base = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "1",
        "LOG_LEVEL": "WARNING",
    }
    env = {"small": {**base, "DATABASE_URL": f"sqlite:///{small}"}, "big": {**base, "DATABASE_URL": f"sqlite:///{big}"}}
    results, load_before, run_started = {}, os.getloadavg(), time.perf_counter()
    servers = []
    try:
        print("preparing the databases and the archives", file=sys.stderr)
        archives = python(PREPARE, small, ADMIN, PASSWORD, workdir, 1000, args.docs, env=env["small"], timeout=300)
        with sqlite3.connect(small) as source, sqlite3.connect(big) as copy:
            source.backup(copy)  # the large import starts from an empty, migrated database too
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env["small"],
            check=True,
            timeout=120,
        )

        server = Server(env["small"], workdir, "small")
        servers.append(server)
        started = time.perf_counter()
        server.start()
        measure("startup", results, lambda: (server.wait_ready(60), {"seconds": time.perf_counter() - started})[1])

        def memory():
            workers = len(server.tree(0)) - 1
            warm_workers(server.port, 3 * max(workers, 1))
            time.sleep(0.5)
            web, worker = pss_mib(server.tree(0)), pss_mib(server.tree(1))
            return {"mib": web + worker, "web_mib": web, "worker_mib": worker, "gunicorn_workers": workers}

        measure("memory", results, memory)
        measure("import_small", results, lambda: import_through_web(server, small, archives["1000"], 1000, timeout=240))
        measure(
            "export",
            results,
            lambda: (python(SPANS, small, 3500, ADMIN, env=env["small"], timeout=120), export_downloads(server.port, 3))[1],
        )
        world = {}
        measure(
            "setup", results, lambda: world.update(python(SETUP, small, 0, args.clients + 1, env=env["small"], timeout=300)) or {}
        )
        if world:
            measure(
                "page",
                results,
                lambda: {"median_ms": page_loads(server.port, world["medium"]), "queries": world["queries"]["500"]},
            )
            measure("save_one", results, lambda: run_saves(server.port, world["paragraphs"], 1, args.saves, args.clients))
            measure("save_many", results, lambda: run_saves(server.port, world["paragraphs"], args.clients, args.saves, 0))
        server.stop()

        server = Server(env["big"], workdir, "big")
        servers.append(server)
        server.start()
        measure(
            "import_big",
            results,
            lambda: (
                server.wait_ready(60),
                import_through_web(server, big, archives[str(args.docs)], args.docs, timeout=max(300, args.docs * 0.06)),
            )[1],
        )
    finally:
        failed = any("error" in result for result in results.values())
        for server in servers:
            if failed and server.processes:
                print(f"  logs ({server.logs[0].stem}): {server.tail()}", file=sys.stderr)
            server.stop()

    rows = []
    for key, (line, doccano, label_studio) in PEERS.items():
        result = results.get(key, {"error": "not reached (an earlier step failed: see setup)"})
        if "error" in result:
            hamish, ratio, verdict = f"not measured: {result['error']}", "", ""
        else:
            hamish, numbers = figures(key, result)
            ratio, verdict = compare(key, numbers, args.docs)
        if key == "import_big" and args.docs != 10000:
            doccano, label_studio = f"{doccano} at 10,000", f"{label_studio} at 10,000"
        rows.append(
            {
                "key": key,
                "line": line.format(docs=args.docs, clients=args.clients),
                "hamish": hamish,
                "doccano": doccano,
                "label_studio": label_studio,
                "hamish_per_doccano": ratio,
                "verdict": verdict,
                "figures": result,
            }
        )
    print(
        f"Hamish against the peers (issue 13), {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"load {load_before[0]:.1f} -> {os.getloadavg()[0]:.1f}, run {time.perf_counter() - run_started:.0f} s"
        + (" [--quick]" if args.quick else "")
    )
    print("| line | Hamish | doccano 1.8.4 | Label Studio 1.23.2 | Hamish ÷ doccano |\n|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['line']} | {row['hamish']} | {row['doccano']} | {row['label_studio']} | "
            f"{row['hamish_per_doccano']} {('(' + row['verdict'] + ')') if row['verdict'] else ''} |"
        )
    for note in notes(results):
        print(f"- {note}")
    if "error" in results.get("setup", {}):
        print(f"setup of the span and page lines failed: {results['setup']['error']}")
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / "peers.json").write_text(
        json.dumps(
            {
                "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "quick": args.quick,
                "docs": args.docs,
                "saves": args.saves,
                "clients": args.clients,
                "cores": os.cpu_count(),
                "load_before": load_before[0],
                "load_after": os.getloadavg()[0],
                "lines": rows,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if args.keep:
        print(f"kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
