"""Web benchmark: the app served by gunicorn on 127.0.0.1, driven over HTTP like the browser drives it.

    .venv/bin/python bench/web.py [--saves 300] [--clients 8]

- article page with 500 and with 2,000 spans: server time (median of 20 loads) and query count;
- span save through the htmx endpoint (session cookie + CSRF token, as reader.js sends it): median, p95,
  p99 with 1 client and with N concurrent clients, and saves per second.
(The CLI import rate is measured by bench/importing.py.)
Production settings (DEBUG off, collected static files, TLS assumed at a proxy), a throwaway SQLite
database, gunicorn with its default workers (2 x cores + 1). Prints a table, writes bench/results/web.json.
"""

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "bench-password-123"
SETUP = """
import json, sys
from bench import _django
_django.setup(sys.argv[1])
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from bench.synthetic import big_article, build
from corpus import search
build(int(sys.argv[2]), 20)
medium, big = big_article(50, 500, tag="m"), big_article(200, 2000, tag="b")
# Some entities, so that the reading view looks for their names in every paragraph as it does in use.
from annotations.models import Entity, Label
for name, label in [("لويد أوستن", "PER"), ("ثابت العباسي", "PER"), ("دانا سترول", "PER"), ("العراق", "LOC"),
                    ("واشنطن", "LOC"), ("بغداد", "LOC"), ("البنتاغون", "ORG"), ("وزارة الدفاع", "ORG"),
                    ("التحالف الدولي", "ORG"), ("داعش", "ORG")]:
    Entity.objects.get_or_create(name=name, label=Label.objects.get(name=label))
search.rebuild()
User = get_user_model()
for n in range(int(sys.argv[3])):
    User.objects.filter(username=f"client{n}").delete()
    User.objects.create_user(f"client{n}", password="%s")
owner = User.objects.get(username="bench0")
owner.set_password("%s")
owner.save()
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(owner)
queries = {}
for article in (medium, big):  # the first load also reads the process's vocabulary (labels, entities): not counted
    assert client.get(f"/articles/{article.pk}/").status_code == 200
for name, article in (("500", medium), ("2000", big)):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"/articles/{article.pk}/").status_code == 200
    queries[name] = len(captured)
paragraphs = list(big.paragraphs.order_by("position").values_list("pk", "text"))
print(json.dumps({"medium": medium.pk, "big": big.pk, "queries": queries, "paragraphs": paragraphs}, ensure_ascii=False))
""" % (PASSWORD, PASSWORD)  # noqa: UP031 (the script holds f-strings and braces of its own)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """One analyst's browser: cookies, CSRF token, keep-alive connection; requests look like htmx's."""

    def __init__(self, port):
        self.port, self.cookies = port, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{self.port}"
            headers["Referer"] = f"https://127.0.0.1:{self.port}/"
        encoded = urlencode(body) if body is not None else None
        try:
            self.connection.request(method, path, body=encoded, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed a kept-alive connection while it sat idle (gthread workers time them out):
            # what a browser does, open a new one and send again. Only the idle case: a request the server
            # had taken would show up in the load test's count check.
            self.connection.close()
            self.connection.request(method, path, body=encoded, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def login(self, username):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        status, _ = self.request(
            "POST", "/accounts/login/", {"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD}
        )
        assert status == 302, f"login failed: {status}"

    def save_span(self, paragraph_id, start, end, quote):
        started = time.perf_counter()
        status, body = self.request(
            "POST",
            f"/paragraphs/{paragraph_id}/spans/",
            {"start": start, "end": end, "quote": quote, "label": "MISC"},
            {"HX-Request": "true", "X-CSRFToken": self.cookies["csrftoken"]},
        )
        if status != 200 and not getattr(Session, "reported", False):
            Session.reported = True
            print(f"  first failed save: {status} {body[:200].decode(errors='replace')}", file=sys.stderr)
        return status, (time.perf_counter() - started) * 1000


def utf16(text, index):
    return len(text[:index].encode("utf-16-le")) // 2


def work(paragraphs, client, count, clients):
    """Distinct spans for one client: the words of the big article, dealt out to the clients in turn."""
    places = []
    for depth in range(max(len(re.findall(r"\S+", text)) for _pk, text in paragraphs)):
        for pk, text in paragraphs:  # the first word of every paragraph, then the second, ...
            words = list(re.finditer(r"\S+", text))
            if depth < len(words):
                places.append((pk, text, words[depth]))
    mine = places[client::clients][:count]
    if len(mine) < count:
        raise SystemExit(f"the big article has words for {len(mine)} saves per client, not {count}")
    return [(pk, utf16(text, word.start()), utf16(text, word.end()), word.group()) for pk, text, word in mine]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_saves(port, paragraphs, clients, saves_each, first_user=0):
    results, errors, barrier = [], [], threading.Barrier(clients)

    def client_thread(n):
        session = Session(port)
        session.login(f"client{first_user + n}")  # a user of its own: its spans never collide with another run's
        jobs = work(paragraphs, n, saves_each, clients)
        barrier.wait()
        for job in jobs:
            status, ms = session.save_span(*job)
            (results if status == 200 else errors).append(ms if status == 200 else status)

    threads = [threading.Thread(target=client_thread, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        print(
            f"  {clients} clients: failed saves by status: { {code: errors.count(code) for code in set(errors)} }",
            file=sys.stderr,
        )
    return {
        "clients": clients,
        "saves": len(results),
        "errors": len(errors),
        "median_ms": statistics.median(results),
        "p95_ms": percentile(results, 95),
        "p99_ms": percentile(results, 99),
        "saves_per_s": len(results) / elapsed,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=300, help="Saves per client (default 300).")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="hamish-bench-web-"))
    database = workdir / "bench.sqlite3"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "BEHIND_TLS_PROXY": "1",
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
        ],  # gunicorn 27 otherwise shares one control socket in ~/.gunicorn
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
        reader = Session(port)
        reader.login("bench0")  # the spans' author: the reading view shows one's own spans by default
        for name, key in (("500", "medium"), ("2000", "big")):
            times = []
            for _ in range(21):
                started = time.perf_counter()
                status, _ = reader.request("GET", f"/articles/{world[key]}/")
                times.append((time.perf_counter() - started) * 1000)
                assert status == 200, status
            rows[f"article page, {name} spans: median ms"] = statistics.median(times[1:])
            rows[f"article page, {name} spans: queries"] = world["queries"][name]
        paragraphs = world["paragraphs"]
        for clients, first_user in ((1, args.clients), (args.clients, 0)):
            result = run_saves(port, paragraphs, clients, args.saves, first_user)
            for key in ("median_ms", "p95_ms", "p99_ms", "saves_per_s", "errors"):
                rows[f"span save, {clients} client{'s' if clients > 1 else ''}: {key}"] = result[key]
    finally:
        server.terminate()
        server.wait(timeout=30)

    for name, value in rows.items():
        print(f"  {name:<44} {value:>10.1f}" if isinstance(value, float) else f"  {name:<44} {value:>10}")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "web.json").write_text(json.dumps(rows, indent=2))
    subprocess.run(["rm", "-rf", str(workdir)], check=False)


if __name__ == "__main__":
    main()
