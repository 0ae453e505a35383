"""Load test (issue 7): N analysts creating, editing and deleting spans at once, through gunicorn on loopback.

    .venv/bin/python bench/load.py [--seconds 60] [--max-requests 2000] [--clients 16]
    scripts/with-postgres .venv/bin/python bench/load.py        # the same against a throwaway PostgreSQL

- Database: a throwaway SQLite file in a temporary folder, or the PostgreSQL database DATABASE_URL names
  (migrated; the articles and accounts this run adds are deleted again at the end unless --keep).
- Setup: a small synthetic corpus (bench/synthetic.py) and one account per analyst; every analyst logs in
  through /accounts/login/ (form + CSRF) with bench/web.py's Session.
- The app: gunicorn with production settings (DEBUG off, collected static files, TLS assumed at a proxy:
  X-Forwarded-Proto https), several workers, on a free port of 127.0.0.1; its log goes to a file.
- Each analyst loops until --seconds have passed or it has sent --max-requests requests: mostly creates a
  span on a random word of the article it is reading (POST /paragraphs/<id>/spans/ with UTF-16 offsets,
  quote and label, HX-Request and X-CSRFToken as reader.js sends them), sometimes relabels or annotates one
  of its own spans (POST /spans/<id>/update/), sometimes deletes one (POST /spans/<id>/delete/). The new
  span's id comes from the span card in the create response; the clients never touch the database.
- Pass: no 5xx, no connection error, no "database is locked" (responses and gunicorn's log), no traceback
  in the log, no 4xx other than 422 (a refused create or relabel: "already tagged"), and afterwards, in the
  database, each analyst's spans are exactly the ones its client created and did not delete (count and ids),
  with one audit event per successful write.
Prints a table, writes bench/results/load-<sqlite|postgresql>.json, exits 1 when a criterion fails.
"""

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import PASSWORD, Session, free_port, percentile, utf16  # noqa: E402 (after the sys.path line)

LABELS = ["PER", "ORG", "LOC", "MISC"]
KINDS = ["create", "edit", "delete"]
WORD = re.compile(r"\S+")
CARD_ID = re.compile(rb'<div class="card swatch-[^"]*" data-span-id="(\d+)"')
LOCKED = b"database is locked"
LOG_PROBLEMS = ("database is locked", "Traceback", "[CRITICAL]", "WORKER TIMEOUT", "Internal Server Error")


# ---- database phases: run in a child process with Django set up (the load clients never touch the DB) ----


def django_setup(database_path):
    from bench import _django

    _django.setup(database_path)


def phase_setup(options):
    """Corpus and accounts; prints what the clients need as JSON."""
    django_setup(options["database"])
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Max

    from bench.synthetic import build
    from corpus.models import Article, Source

    User = get_user_model()
    existed = {
        "users": list(User.objects.filter(username__in=[f"bench{i}" for i in range(4)]).values_list("username", flat=True)),
        "sources": list(Source.objects.filter(name__in=[f"مصدر {i}" for i in range(10)]).values_list("name", flat=True)),
    }
    last = Article.objects.aggregate(last=Max("pk"))["last"] or 0
    build(options["articles"], 20, start=options["start"])
    articles = Article.objects.filter(pk__gt=last).order_by("pk").prefetch_related("paragraphs")
    world = {
        "vendor": connection.vendor,
        "articles": [[[p.pk, p.text] for p in sorted(a.paragraphs.all(), key=lambda p: p.position)] for a in articles],
        "article_ids": [a.pk for a in articles],
        "existed": existed,
    }
    for username in options["users"]:
        User.objects.create_user(username, password=PASSWORD)
    print(json.dumps(world, ensure_ascii=False))


def phase_check(options):
    """Per analyst: the ids of its spans and how many audit events of each action it has."""
    django_setup(options["database"])
    from django.db.models import Count

    from annotations.models import AnnotationEvent, Span

    spans, events = {u: [] for u in options["users"]}, {u: {} for u in options["users"]}
    for username, pk in Span.objects.filter(author__username__in=options["users"]).values_list("author__username", "pk"):
        spans[username].append(pk)
    rows = (
        AnnotationEvent.objects.filter(actor__username__in=options["users"], kind="span")
        .values_list("actor__username", "action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for username, action, n in rows:
        events[username][action] = n
    print(json.dumps({"spans": spans, "events": events}))


def phase_cleanup(options):
    """PostgreSQL only: remove what this run added (its accounts with their spans and events, its articles, and
    the synthetic authors and outlets when this run created them)."""
    django_setup(options["database"])
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from annotations.models import AnnotationEvent, Span
    from corpus.models import Article, Source

    User = get_user_model()
    with transaction.atomic():
        users = User.objects.filter(username__in=options["users"])
        AnnotationEvent.objects.filter(actor__in=users).delete()
        Span.objects.filter(author__in=users).delete()
        users.delete()
        Article.objects.filter(pk__in=options["article_ids"]).delete()
        for name in {f"bench{i}" for i in range(4)} - set(options["existed"]["users"]):
            User.objects.filter(username=name, spans__isnull=True, annotation_events__isnull=True).delete()
        for name in {f"مصدر {i}" for i in range(10)} - set(options["existed"]["sources"]):
            Source.objects.filter(name=name, articles__isnull=True).delete()


PHASES = {"setup": phase_setup, "check": phase_check, "cleanup": phase_cleanup}


def run_phase(name, options, env):
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--phase", name],
        check=False,
        input=json.dumps(options),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None


# ---- the load -------------------------------------------------------------------------------------------


class Analyst:
    """One analyst's client: its session, its own spans (id -> label), what it did and what it saw."""

    def __init__(self, number, username, port, articles, seed):
        self.number, self.username, self.port, self.articles = number, username, port, articles
        self.random = random.Random(seed * 1000 + number)
        self.session = None
        self.own = {}
        self.requests = 0
        self.ok = Counter()  # kind -> successful (200) requests
        self.statuses = {kind: Counter() for kind in KINDS}
        self.latencies = {kind: [] for kind in KINDS}  # ms, status 200 only
        self.failures = []  # (kind, category, what): category is "connection", "5xx", "locked" or "unexpected"
        self.locked = 0
        self.created_ids, self.deleted_ids = [], []

    def login(self):
        self.session = Session(self.port)
        self.session.connection.timeout = 30
        self.session.login(self.username)

    def send(self, kind, path, body):
        """One htmx POST; returns (status, body) or (None, None) after a connection error."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.session.cookies["csrftoken"]}
        self.requests += 1
        started = time.perf_counter()
        try:
            status, data = self.session.request("POST", path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.failures.append((kind, "connection", f"connection error: {exc!r}"))
            self.session.connection.close()
            return None, None
        elapsed = (time.perf_counter() - started) * 1000
        self.statuses[kind][status] += 1
        if LOCKED in data:
            self.locked += 1
            self.failures.append((kind, "locked", f"{status} with 'database is locked' in the body"))
        if status >= 500:
            self.failures.append((kind, "5xx", f"{status}: {data[:200].decode(errors='replace')}"))
        elif status != 200 and not (status == 422 and kind in ("create", "edit")):
            self.failures.append((kind, "unexpected", f"unexpected {status}: {data[:200].decode(errors='replace')}"))
        if status == 200:
            self.ok[kind] += 1
            self.latencies[kind].append(elapsed)
        return status, data

    def create(self, paragraphs):
        pk, text = self.random.choice(paragraphs)
        words = list(WORD.finditer(text))
        first = self.random.randrange(len(words))
        last = min(len(words) - 1, first + self.random.choice([0, 0, 0, 1, 2]))  # mostly one word, some phrases
        start, end = words[first].start(), words[last].end()
        label = self.random.choice(LABELS)
        body = {"start": utf16(text, start), "end": utf16(text, end), "quote": text[start:end], "label": label}
        status, data = self.send("create", f"/paragraphs/{pk}/spans/", body)
        if status == 200:
            found = CARD_ID.search(data)
            if not found:
                self.failures.append(("create", "unexpected", "200 without a span card: cannot tell the new span's id"))
                return
            span_id = int(found.group(1))
            self.own[span_id] = label
            self.created_ids.append(span_id)

    def edit(self):
        span_id = self.random.choice(list(self.own))
        if self.random.random() < 0.5:
            label = self.random.choice([name for name in LABELS if name != self.own[span_id]])
            status, _ = self.send("edit", f"/spans/{span_id}/update/", {"label": label})
            if status == 200:
                self.own[span_id] = label
        else:
            note = f"<b>ملاحظة</b> {self.username} #{self.requests}: راجع *المصدر*"
            self.send("edit", f"/spans/{span_id}/update/", {"note": note})

    def delete(self):
        span_id = self.random.choice(list(self.own))
        status, _ = self.send("delete", f"/spans/{span_id}/delete/", {})
        if status == 200:
            del self.own[span_id]
            self.deleted_ids.append(span_id)

    def run(self, deadline, max_requests):
        paragraphs, left_on_article = None, 0
        while time.monotonic() < deadline and self.requests < max_requests:
            if left_on_article <= 0:  # an analyst works on a few paragraphs of one article for a while, then moves on
                article = self.random.choice(self.articles)
                first = self.random.randrange(len(article))
                paragraphs, left_on_article = article[first : first + 3], self.random.randint(10, 40)
            left_on_article -= 1
            roll = self.random.random()
            if not self.own or roll < 0.6:
                self.create(paragraphs)
            elif roll < 0.8:
                self.edit()
            else:
                self.delete()


def run_load(port, analysts, seconds, max_requests):
    times, crashes = {}, []

    def go():  # run by one thread once everyone has logged in, before any is released
        times["started"] = time.perf_counter()
        times["deadline"] = time.monotonic() + seconds

    barrier = threading.Barrier(len(analysts) + 1, action=go)

    def thread(analyst):
        try:
            analyst.login()
        except Exception as exc:  # noqa: BLE001 - reported as a failure of this client
            crashes.append(f"{analyst.username}: login failed: {exc!r}")
            barrier.abort()
            return
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        try:
            analyst.run(times["deadline"], max_requests)
        except Exception as exc:  # noqa: BLE001
            crashes.append(f"{analyst.username}: client crashed: {exc!r}")

    threads = [threading.Thread(target=thread, args=(a,), daemon=True) for a in analysts]
    for t in threads:
        t.start()
    try:
        barrier.wait()  # everyone has logged in
    except threading.BrokenBarrierError:
        for t in threads:
            t.join()
        return 0.0, crashes
    limit = time.monotonic() + seconds + 60  # a request may still be running at the deadline (client timeout 30 s)
    for t in threads:
        t.join(max(0.0, limit - time.monotonic()))
    elapsed = time.perf_counter() - times["started"]
    crashes += [f"{a.username}: still running after the time limit" for a, t in zip(analysts, threads) if t.is_alive()]
    return elapsed, crashes


def wait_for_port(port, server, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode} before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"gunicorn did not listen on 127.0.0.1:{port} within {seconds} s")


def stop(server):
    """Our gunicorn, by its own PID: TERM (graceful, workers follow the master), KILL if it hangs."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def stats(values):
    if not values:
        return {"n": 0, "median_ms": None, "p95_ms": None, "p99_ms": None}
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 1),
        "p95_ms": round(percentile(values, 95), 1),
        "p99_ms": round(percentile(values, 99), 1),
    }


def ms(value):
    return f"{value:>8.1f}" if value is not None else f"{'-':>8}"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=60, help="How long the analysts work (default 60).")
    parser.add_argument("--max-requests", type=int, default=2000, help="Requests per client at most (default 2000).")
    parser.add_argument("--clients", type=int, default=16, help="Concurrent analysts (default 16).")
    parser.add_argument("--articles", type=int, default=50, help="Synthetic articles (default 50).")
    parser.add_argument(
        "--workers",
        type=int,
        default=(os.cpu_count() or 1) * 2 + 1,
        help="gunicorn workers (default 2 x cores + 1, as gunicorn.conf.py).",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder (and the PostgreSQL rows) for a look.")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        PHASES[args.phase](json.loads(sys.stdin.read()))
        return 0
    if args.seconds <= 0 or args.max_requests <= 0 or args.clients <= 0:
        parser.error("--seconds, --max-requests and --clients must be positive")

    url = os.environ.get("DATABASE_URL", "")
    backend = "postgresql" if url.startswith(("postgres://", "postgresql://", "pgsql://")) else "sqlite"
    if url and backend == "sqlite" and not url.startswith("sqlite"):
        raise SystemExit(f"DATABASE_URL must name PostgreSQL (or be unset for a throwaway SQLite file), not {url.split(':')[0]}")
    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-load-"))
    database = workdir / "load.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "1",
        "DATABASE_URL": url if backend == "postgresql" else f"sqlite:///{database}",
    }
    tag = secrets.token_hex(3)  # this run's accounts: never another run's, even on a shared PostgreSQL
    users = [f"load-{tag}-{n:02}" for n in range(args.clients)]
    options = {
        "database": str(database),
        "users": users,
        "articles": args.articles,
        # SQLite starts empty; on PostgreSQL numbered apart from earlier runs (article content hashes are unique)
        "start": 0 if backend == "sqlite" else random.randrange(10**6, 10**9),
    }
    log_path = workdir / "gunicorn.log"
    world, server, cleanup = None, None, backend == "postgresql" and not args.keep
    try:
        print(
            f"Load test on {backend}: {args.clients} analysts, {args.seconds:g} s or {args.max_requests} requests each, "
            f"{args.workers} gunicorn workers",
            flush=True,
        )
        world = run_phase("setup", options, env)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True
        )
        articles = [paragraphs for paragraphs in world["articles"] if paragraphs]
        print(f"  corpus: {len(articles)} articles, {sum(map(len, articles))} paragraphs; log {log_path}", flush=True)
        port = free_port()
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "hamish.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--access-logfile",
                    "/dev/null",
                    "--error-logfile",
                    "-",
                    "--no-control-socket",
                ],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_for_port(port, server)
            analysts = [Analyst(n, username, port, articles, args.seed) for n, username in enumerate(users)]
            elapsed, crashes = run_load(port, analysts, args.seconds, args.max_requests)
        finally:
            stop(server)
        check = run_phase("check", options, env)
        log_text = log_path.read_text(errors="replace")
        return report(args, backend, analysts, elapsed, crashes, check, log_text, log_path)
    finally:
        if world is not None and cleanup:
            run_phase("cleanup", {**options, "article_ids": world["article_ids"], "existed": world["existed"]}, env)
        if args.keep:
            print(f"  kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def report(args, backend, analysts, elapsed, crashes, check, log_text, log_path):
    problems = list(crashes)
    statuses = {kind: sum((a.statuses[kind] for a in analysts), Counter()) for kind in KINDS}
    requests = sum(a.requests for a in analysts)
    ok = {kind: sum(a.ok[kind] for a in analysts) for kind in KINDS}
    server_errors = sum(n for kind in KINDS for status, n in statuses[kind].items() if status >= 500)
    client_errors = sum((Counter({s: n for s, n in statuses[kind].items() if 400 <= s < 500}) for kind in KINDS), Counter())
    connection_errors = sum(1 for a in analysts for _, category, _ in a.failures if category == "connection")
    locked = sum(a.locked for a in analysts)
    log_hits = {needle: log_text.count(needle) for needle in LOG_PROBLEMS}
    latency = {kind: stats([ms for a in analysts for ms in a.latencies[kind]]) for kind in KINDS}

    # The database after the run, per analyst: exactly the spans it created and did not delete.
    per_user, count_mismatches = {}, []
    for a in analysts:
        expected = set(a.created_ids) - set(a.deleted_ids)
        found = set(check["spans"][a.username])
        events = check["events"][a.username]
        row = {
            "requests": a.requests,
            "creates": a.ok["create"],
            "edits": a.ok["edit"],
            "deletes": a.ok["delete"],
            "expected_spans": a.ok["create"] - a.ok["delete"],
            "spans_in_db": len(found),
            "events": events,
            "statuses": {k: dict(a.statuses[k]) for k in KINDS},
        }
        per_user[a.username] = row
        if len(found) != row["expected_spans"]:
            count_mismatches.append(
                f"{a.username}: {len(found)} spans in the database, {a.ok['create']} creates - {a.ok['delete']} deletes = {row['expected_spans']}"
            )
        elif found != expected:
            count_mismatches.append(
                f"{a.username}: span ids differ: missing {sorted(expected - found)[:10]}, unexpected {sorted(found - expected)[:10]}"
            )
        wanted = {"created": a.ok["create"], "changed": a.ok["edit"], "deleted": a.ok["delete"]}
        if {k: events.get(k, 0) for k in wanted} != wanted:
            count_mismatches.append(f"{a.username}: audit events {events} for {wanted}")
    total_expected = ok["create"] - ok["delete"]
    total_found = sum(len(v) for v in check["spans"].values())

    if server_errors:
        problems.append(f"{server_errors} responses with status 5xx")
    if connection_errors:
        problems.append(f"{connection_errors} connection errors")
    if locked:
        problems.append(f"{locked} responses saying 'database is locked'")
    for needle, n in log_hits.items():
        if n:
            problems.append(f"gunicorn log: {n} x {needle!r}")
    unexpected = [
        f"{a.username} {kind}: {what}" for a in analysts for kind, category, what in a.failures if category == "unexpected"
    ]
    problems += unexpected[:20]
    if len(unexpected) > 20:
        problems.append(f"... and {len(unexpected) - 20} more unexpected answers")
    if total_found != total_expected:
        problems.append(f"load users hold {total_found} spans in the database; successful creates - deletes = {total_expected}")
    problems += count_mismatches
    if requests == 0:
        problems.append("no request was sent")

    rate = requests / elapsed if elapsed else 0.0
    print(f"\n  {'':<8} {'sent':>7} {'200':>7} {'4xx':>14} {'5xx':>5} {'median ms':>10} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in KINDS:
        sent = sum(statuses[kind].values())
        fours = ", ".join(f"{s}: {n}" for s, n in sorted(statuses[kind].items()) if 400 <= s < 500) or "-"
        fives = sum(n for s, n in statuses[kind].items() if s >= 500)
        lat = latency[kind]
        print(
            f"  {kind:<8} {sent:>7} {ok[kind]:>7} {fours:>14} {fives:>5} {ms(lat['median_ms']):>10} {ms(lat['p95_ms'])} {ms(lat['p99_ms'])}"
        )
    print(
        f"  requests {requests} in {elapsed:.1f} s: {rate:.1f} requests/s ({args.clients} clients, {args.workers} workers); "
        f"connection errors {connection_errors}; 'database is locked' {locked} in responses, {log_hits['database is locked']} in the log"
    )
    print(f"  spans of the load users in the database: {total_found}; creates - deletes: {total_expected}")
    print(f"  latency over status-200 responses only; 4xx by status: {dict(sorted(client_errors.items())) or 'none'}")

    results = {
        "backend": backend,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "max_requests_per_client": args.max_requests,
        "articles": args.articles,
        "elapsed_s": round(elapsed, 2),
        "requests": requests,
        "requests_per_s": round(rate, 1),
        "ok": ok,
        "statuses": {k: {str(s): n for s, n in sorted(v.items())} for k, v in statuses.items()},
        "client_errors_by_status": {str(s): n for s, n in sorted(client_errors.items())},
        "server_errors": server_errors,
        "connection_errors": connection_errors,
        "database_locked_responses": locked,
        "gunicorn_log_hits": log_hits,
        "latency": latency,
        "spans_in_db": total_found,
        "creates_minus_deletes": total_expected,
        "per_user": per_user,
        "passed": not problems,
        "problems": problems,
    }
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"load-{backend}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if problems:
        lines = [line for line in log_text.splitlines() if any(n in line for n in LOG_PROBLEMS)]
        if lines:
            print("\n  gunicorn log, first problem lines:", *lines[:15], sep="\n    ", file=sys.stderr)
        print(f"\nFAILED ({backend}):", *problems, sep="\n  - ", file=sys.stderr)
        return 1
    print(
        f"\nPASSED ({backend}): no 5xx, no 'database is locked', every analyst's spans in the database are exactly "
        "its creates minus its deletes."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
