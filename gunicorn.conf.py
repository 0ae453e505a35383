# gunicorn reads this file from the working directory: `gunicorn hamish.wsgi`.
# Several worker processes share one PostgreSQL database; that is the scale path.
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads, so that a write waiting for SQLite's write lock (up to HAMISH_DB_BUSY_TIMEOUT_SECONDS) holds
# one thread, not a whole process: pages are still served meanwhile (WAL readers need no lock).
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 120))  # large imports run inside the request
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
