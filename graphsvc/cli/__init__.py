"""The ``graphsvc`` command line (contract section 3).

One module per group of commands, each listing its commands in ``COMMANDS``: :mod:`.db` (the
local Neo4j), :mod:`.records` (load, generate, dump), :mod:`.analysis` (the audited
consultations), :mod:`.export` (network exports), :mod:`.resolve` (identity resolution and
links), :mod:`.admin` (API keys, the audit log), :mod:`.serve`, :mod:`.state` (the pattern state), :mod:`.alerts` (subscriptions and alerts), :mod:`.review` (retention review), :mod:`.register` (the register's
duties and worklist); what they share is in
:mod:`.common`. This module builds the ``main`` group from them (the ``graphsvc`` entry point).
"""

from __future__ import annotations

import click

from graphsvc.cli import admin, alerts, analysis, db, export, records, register, resolve, review, serve, state

__all__ = ["main"]


@click.group()
def main() -> None:
    """graphsvc: a register that joins stalking incidents, victims, offenders and orders."""


for _module in (db, records, serve, analysis, export, resolve, admin, state, alerts, register, review):
    for _command in _module.COMMANDS:
        main.add_command(_command)
