# gunicorn reads this file from the working directory: `gunicorn hamish.wsgi`.
# Several worker processes share one PostgreSQL database; that is the scale path.
import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads, so that a write waiting for SQLite's write lock (up to HAMISH_DB_BUSY_TIMEOUT_SECONDS) holds
# one thread, not a whole process: pages are still served meanwhile (WAL readers need no lock).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# Imports and exports of more than one article run as background jobs; the admin's import page still runs in
# the request, hence the generous timeout.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# Django and the app are loaded once, in the master, and the workers fork from it: they start at once and
# share those pages of memory instead of each loading Django after forking.
preload_app = True


def when_ready(server):
    # The master's objects (Django, the URLconf, templates) live as long as the workers: out of the garbage
    # collector's sight, a full collection in a worker no longer walks them (it was about a quarter of a span
    # save's time) and, as it never writes to them, their pages stay shared (copy-on-write). Python's advice
    # for fork servers: collect, then gc.freeze() before forking.
    gc.collect()
    gc.freeze()
