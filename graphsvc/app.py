"""The Flask application factory."""

from __future__ import annotations

from typing import Any

from flask import Flask

from graphsvc.config import Settings
from graphsvc.extensions import graph_db

__all__ = ["create_app"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the service. ``config`` overrides Flask settings; ``GRAPHSVC_SETTINGS`` may hold
    a :class:`~graphsvc.config.Settings` (else it is read from the environment)."""
    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=8 * 1024 * 1024,
        JSON_SORT_KEYS=False,
    )
    if config:
        app.config.update(config)
    if "GRAPHSVC_SETTINGS" not in app.config:
        app.config["GRAPHSVC_SETTINGS"] = Settings.from_env()

    graph_db.init_app(app)

    from graphsvc.api import bp as api_bp, register_error_handlers

    app.register_blueprint(api_bp)
    register_error_handlers(app)
    return app
