"""graphsvc: a graph register of stalking across victims, incidents, orders and agencies."""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(config=None):  # type: ignore[no-untyped-def]
    """The Flask application factory (see :mod:`graphsvc.app`)."""
    # heavy: flask and the whole service (importing any graphsvc module runs this file, so the
    # loaders, the analyses and the CLI's light commands would all pay for it at module level)
    from graphsvc.app import create_app as factory

    return factory(config)
