"""The Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from graphsvc.config import Settings
from graphsvc.extensions import graph_db

__all__ = ["create_app"]


def _api_defaults() -> dict[str, Any]:
    """API settings, overridable from the environment (read here, at app creation)."""
    env = os.environ
    return {
        "API_KEY_CACHE_TTL_S": float(env.get("GRAPHSVC_API_KEY_CACHE_TTL_S") or 30.0),
        "RATE_LIMIT_PER_S": float(env.get("GRAPHSVC_RATE_LIMIT_PER_S") or 100.0),
        "RATE_LIMIT_BURST": int(env.get("GRAPHSVC_RATE_LIMIT_BURST") or 200),
        "JSON_LOGS": (env.get("GRAPHSVC_JSON_LOGS") or "1") != "0",
        # failed authentications per client address (each costs an Argon2 check)
        "AUTH_FAILURES_PER_S": float(env.get("GRAPHSVC_AUTH_FAILURES_PER_S") or 5.0),
        "AUTH_FAILURES_BURST": int(env.get("GRAPHSVC_AUTH_FAILURES_BURST") or 100),
        # how long a request waits for a register-wide job (serial ranking, clusters) before a
        # 503 job_pending with Retry-After; the job goes on and the next request gets its answer
        "JOB_WAIT_S": float(env.get("GRAPHSVC_JOB_WAIT_S") or 20.0),
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the service. ``config`` overrides Flask settings; ``GRAPHSVC_SETTINGS`` may hold
    a :class:`~graphsvc.config.Settings` (else it is read from the environment)."""
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    app.config.update(_api_defaults())
    if config:
        app.config.update(config)
    if "GRAPHSVC_SETTINGS" not in app.config:
        app.config["GRAPHSVC_SETTINGS"] = Settings.from_env()

    graph_db.init_app(app)
    from graphsvc import services

    services.set_job_wait(app.config["JOB_WAIT_S"])

    from graphsvc.api import bp as api_bp, register_error_handlers
    from graphsvc.api import availability, requestlog
    from graphsvc.security.keys import KeyRing
    from graphsvc.security.ratelimit import TokenBucketLimiter

    app.extensions["graphsvc.keyring"] = KeyRing(cache_ttl_s=app.config["API_KEY_CACHE_TTL_S"])
    app.extensions["graphsvc.limiter"] = TokenBucketLimiter(
        rate_per_s=app.config["RATE_LIMIT_PER_S"], burst=app.config["RATE_LIMIT_BURST"]
    )
    app.extensions["graphsvc.auth_failures"] = TokenBucketLimiter(
        rate_per_s=app.config["AUTH_FAILURES_PER_S"], burst=app.config["AUTH_FAILURES_BURST"]
    )
    if app.config["JSON_LOGS"]:
        requestlog.configure_logging()
    requestlog.init_app(app)
    availability.init_app(app)
    app.register_blueprint(api_bp)
    from graphsvc.web import bp as web_bp

    app.register_blueprint(web_bp)
    register_error_handlers(app)
    return app
