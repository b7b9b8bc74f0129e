"""``graphsvc serve``: the HTTP service for development."""

from __future__ import annotations

import click

__all__ = ["COMMANDS"]


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=int)
def serve_cmd(host: str, port: int) -> None:
    """The service for development (production: gunicorn, see docs/deployment.md)."""
    from graphsvc.app import create_app  # heavy: flask and the whole service, for this command only

    create_app().run(host=host, port=port, threaded=True)


COMMANDS: tuple[click.Command, ...] = (serve_cmd,)
