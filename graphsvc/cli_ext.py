"""Commands that live beside their feature modules, attached to the ``graphsvc`` group."""

from __future__ import annotations

import click

__all__ = ["register"]


def register(main: click.Group) -> None:
    """Attach each feature's commands (add one line per feature module)."""
    from graphsvc.api_cli import register as _api

    _api(main)
    from graphsvc.export_cli import register as _export

    _export(main)
    from graphsvc.analysis_cli import register as _analysis; _analysis(main)  # noqa: E702
    from graphsvc.resolve_cli import register as _resolve; _resolve(main)  # noqa: E702
