"""gunicorn configuration for graphsvc (production: ``gunicorn -c gunicorn.conf.py``).

Sized for this machine: 2 cores shared with Neo4j. See docs/deployment.md for the reasoning
and the figures. Every value can be overridden from the environment.

- ``gthread`` workers: a request spends most of its time waiting on Neo4j, so threads (which
  release the GIL on I/O) serve more requests per core than processes would, at far less
  memory. 2 processes x 8 threads = 16 requests in flight, enough to keep Neo4j's 2 cores busy
  without queueing work inside Neo4j.
- ``preload_app = False``: each worker builds the app after the fork, so each has its own
  Neo4j driver (drivers must not cross a fork). Per-process state (rate-limit buckets, the key
  cache, the breaker, the register-wide jobs' cache, ``services.JobCache``) is documented as
  such in docs/api.md.
- ``post_worker_init``: each worker loads the intake check's model and freezes what start-up
  allocated out of the garbage collector's view (``services.warm_process``): full collections
  over the model's objects were the check's slowest moments (docs/analysis.md).
- ``post_worker_init`` also starts the pattern state's poller in each worker
  (``GRAPHSVC_STATE_POLL_S``): it applies outbox entries a writer that died left behind.
- ``post_worker_init`` also starts the alert dispatcher in each worker
  (``GRAPHSVC_ALERT_POLL_S``); they share one lease in the graph, so one delivers (docs/alerts.md).
- ``timeout = 60``: longer than the driver's transaction retry budget (15 s + backoff) plus the
  30 s query timeout, so a slow answer is a 503/timeout from graphsvc, not a killed worker.
"""

from __future__ import annotations

import os

wsgi_app = "graphsvc.app:create_app()"
bind = os.environ.get("GRAPHSVC_BIND", "127.0.0.1:8080")
worker_class = "gthread"
workers = int(os.environ.get("GRAPHSVC_WORKERS", "2"))
threads = int(os.environ.get("GRAPHSVC_THREADS", "8"))
preload_app = False
timeout = int(os.environ.get("GRAPHSVC_WORKER_TIMEOUT_S", "60"))
graceful_timeout = 30
keepalive = 5
backlog = 512
max_requests = 20_000
max_requests_jitter = 2_000
# Request-line and header limits (bodies are limited by the app: 8 MiB, 413).
limit_request_line = 8190
limit_request_fields = 50
limit_request_field_size = 8190
# Only trust X-Forwarded-* from a proxy on this host.
forwarded_allow_ips = os.environ.get("GRAPHSVC_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The app writes one JSON access line per request (with its request id); gunicorn's own
# access log would duplicate it without the id.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GRAPHSVC_LOG_LEVEL", "info")
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# No run-time control socket: it would need a writable $HOME (the container has none) and
# two instances on one host would fight over it. Signals (HUP, TTIN/TTOU, TERM) still work.
control_socket_disable = True


def post_worker_init(worker: object) -> None:
    """After the worker has built the app: load the model, freeze start-up objects."""
    from graphsvc import services

    app = worker.wsgi  # type: ignore[attr-defined]  # the app this worker built (create_app)
    services.warm_process(app.config["GRAPHSVC_SETTINGS"])
    # the pattern state's changes a writer that died left behind (docs/pattern-state.md)
    from graphsvc.extensions import graph_db
    from graphsvc.services.state import Poller

    Poller(graph_db.get(app), app.config["GRAPHSVC_SETTINGS"].state_poll_s).start()
    # the alert dispatcher: every worker tries for the one lease, one delivers (docs/alerts.md)
    from graphsvc.services.dispatch import Dispatcher

    Dispatcher(graph_db.get(app), app.config["GRAPHSVC_SETTINGS"]).start()


logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "graphsvc.api.requestlog.JsonFormatter"}},
    "filters": {"request_id": {"()": "graphsvc.api.requestlog.RequestIdFilter"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        }
    },
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "graphsvc": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "neo4j.notifications": {"level": "ERROR"},
    },
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
