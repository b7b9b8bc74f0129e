"""Pattern analysis: pure functions over query rows and NetworkX graphs.

Nothing in this package touches the driver: :mod:`graphsvc.repository` fetches rows,
:mod:`graphsvc.services` hands them here. Every threshold and formula is documented in
``docs/analysis.md``.
"""

from __future__ import annotations
