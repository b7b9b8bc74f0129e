"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from graphsvc.api import availability, requestlog
from graphsvc.api import bp as api_bp
from graphsvc.api import register_error_handlers
from graphsvc.config import Settings
from graphsvc.extensions import graph_db
from graphsvc.security.keys import KeyRing
from graphsvc.security.quota import parse_quotas
from graphsvc.security.ratelimit import TokenBucketLimiter
from graphsvc.services.jobs import JobCache
from graphsvc.web import bp as web_bp

__all__ = ["create_app"]


def _api_defaults(settings: Settings) -> dict[str, Any]:
    """The service's Flask settings, from :class:`Settings` (``config`` may override each)."""
    return {
        "API_KEY_CACHE_TTL_S": settings.api_key_cache_ttl_s,
        "RATE_LIMIT_PER_S": settings.rate_limit_per_s,
        "RATE_LIMIT_BURST": settings.rate_limit_burst,
        "JSON_LOGS": settings.json_logs,
        "AUTH_FAILURES_PER_S": settings.auth_failures_per_s,
        "AUTH_FAILURES_BURST": settings.auth_failures_burst,
        "JOB_WAIT_S": settings.job_wait_s,
        "AUTO_RESOLVE": settings.auto_resolve,
        "AUTO_RESOLVE_MAX": settings.auto_resolve_max,
        "READ_QUOTAS": parse_quotas(settings.read_quotas),
    }


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the service. ``config`` overrides Flask settings; ``GRAPHSVC_SETTINGS`` may hold
    a :class:`~graphsvc.config.Settings` (else it is read from the environment)."""
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    settings = (config or {}).get("GRAPHSVC_SETTINGS") or Settings.from_env()
    app.config.update(_api_defaults(settings))
    if config:
        app.config.update(config)
    app.config["GRAPHSVC_SETTINGS"] = settings

    graph_db.init_app(app)
    # the register-wide jobs' answers (serial ranking, clusters): kept per app, refreshed after
    # pattern_cache_s, a request waiting at most JOB_WAIT_S for a run
    JobCache().init_app(app)

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
    app.register_blueprint(web_bp)
    register_error_handlers(app)
    return app
