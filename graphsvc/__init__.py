"""graphsvc: a graph register of stalking across victims, incidents, orders and agencies."""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(config=None):  # type: ignore[no-untyped-def]
    """The Flask application factory (see :mod:`graphsvc.app`)."""
    from graphsvc.app import create_app as factory

    return factory(config)
