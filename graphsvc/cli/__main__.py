"""``python -m graphsvc.cli``: the ``graphsvc`` command without its entry-point script."""

from __future__ import annotations

from graphsvc.cli import main

main()
