"""Commands that live beside their feature modules, attached to the ``graphsvc`` group."""

from __future__ import annotations

import click

__all__ = ["register"]


def register(main: click.Group) -> None:
    """Attach each feature's commands (add one line per feature module)."""
    from graphsvc.cli.admin import register as _api

    _api(main)
    from graphsvc.cli.export import register as _export

    _export(main)
    from graphsvc.cli.analysis import register as _analysis; _analysis(main)  # noqa: E702
    from graphsvc.cli.resolve import register as _resolve; _resolve(main)  # noqa: E702
