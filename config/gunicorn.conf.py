"""gunicorn for `make serve` and the load tests; every value can be set from the environment."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")


def _cores() -> int:
    """The processors this server may run on (its CPU affinity, where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


# Processes rather than threads, as gunicorn advises (2 x cores + 1): a search is mostly Python, and the threads of
# one process take turns at its lock (the GIL). On 2 cores with 8 clients, cold searches (each a new ZIP code,
# 100,000 practitioners): 2 workers x 4 threads 121 API and 73 page requests/s, 5 x 1 198 and 108 (medians of
# three runs; docs/performance.md). Each worker holds one database connection per thread.
workers = int(os.environ.get("WEB_CONCURRENCY", str(2 * _cores() + 1)))
worker_class = "gthread"  # its own loop keeps idle keep-alive connections off the worker's thread
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, with jitter so they do not all restart at once (0: never). Not too often: a new
# worker starts with new database connections and warms its caches (URL patterns, templates, the compiled and
# prepared search queries) again; at 5,000 requests a worker restarted every 4 s under load, halving the rate of
# /robots.txt and putting a second on its p99 (docs/performance.md).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "50000"))
max_requests_jitter = max_requests // 10
preload_app = True  # the postal-code index is built once and shared by the workers
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
