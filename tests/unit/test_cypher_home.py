"""Every Cypher call lives in the repository layer (or the driver edge): issue #16.

Read from the source with :mod:`ast` (nothing is imported): outside ``graphsvc/graph/`` (the
driver edge) and ``graphsvc/repository/``, no module calls or hands on a :class:`Database` query
method (``read``, ``read_one``, ``write``, ``run_in``, ``execute``, ``read_tx``, ``write_tx``,
``read_job``, ``read_job_each``) or runs a query on a transaction or session (``tx.run``,
``session.run``). Security, export, service and route code asks a repository function instead.

What counts as a database: a receiver named ``db``, ``database`` or ``*_db`` (``self.db``,
``graph_db.get()``, ``db.with_settings(s)``), or a name annotated as ``Database``. The methods
only :class:`Database` has (``run_in``, ``read_tx``, ...) count on any receiver, and so does
any call whose first argument names a query in ``cypher/``. File and DuckDB handles (``out.write``,
``con.execute``) are none of these.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOMES = (ROOT / "graphsvc" / "graph", ROOT / "graphsvc" / "repository")
QUERY_NAMES = frozenset(p.stem for p in (ROOT / "cypher").glob("*.cypher"))

#: Methods only Database has: a call on any receiver is a query.
ONLY_DATABASE = frozenset({"run_in", "read_tx", "write_tx", "read_job", "read_job_each"})
#: Methods other objects have too (files, DuckDB): a query when the receiver is a database.
SHARED = frozenset({"read", "read_one", "write", "execute"})
TX_NAMES = frozenset({"tx", "session"})
TX_TYPES = ("ManagedTransaction", "Transaction", "Session")


def _last_name(node: ast.expr) -> str | None:
    """The name an expression ends in: ``db`` for ``db``, ``self.db``, ``graph_db.get()``
    (a method call on a name is seen through to the name), ``db.with_settings(s)``."""
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        node = node.func.value
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _annotated(tree: ast.AST, types: tuple[str, ...]) -> set[str]:
    """Names (parameters, annotated assignments) whose annotation mentions one of ``types``."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            if any(t in ast.unparse(node.annotation) for t in types):
                found.add(node.arg)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if any(t in ast.unparse(node.annotation) for t in types):
                found.add(node.target.id)
    return found


def _is_db(name: str | None, db_names: set[str]) -> bool:
    if name is None:
        return False
    low = name.lower()
    return low in ("db", "database") or low.endswith("_db") or name in db_names


def _names_query(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Constant) and a.value in QUERY_NAMES for a in call.args[:2])


def cypher_calls(source: str) -> list[tuple[int, str]]:
    """(line, expression) of every query method used in ``source``."""
    tree = ast.parse(source)
    db_names = _annotated(tree, ("Database",))
    tx_names = _annotated(tree, TX_TYPES) | set(TX_NAMES)
    calls = {id(n.func): n for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        receiver = _last_name(node.value)
        call = calls.get(id(node))
        hit = (
            node.attr in ONLY_DATABASE
            or (node.attr in SHARED and (_is_db(receiver, db_names)
                                         or (call is not None and _names_query(call))))
            or (node.attr == "run" and receiver is not None
                and (receiver in tx_names or receiver.endswith(("_tx", "session"))))
        )
        if hit:
            found.append((node.lineno, ast.unparse(node)))
    return sorted(found)


def _outside_homes() -> list[Path]:
    paths = []
    for top in ("graphsvc", "loaders"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if not any(path.is_relative_to(home) for home in HOMES):
                paths.append(path)
    return paths


def test_the_rule_sees_each_kind_of_query_call() -> None:
    source = (
        "def f(db, store: Database, tx, con, out):\n"
        "    db.read('x')\n"  # 2
        "    store.write('x')\n"  # 3
        "    graph_db.get().read_one('x')\n"  # 4
        "    self.db.execute('RETURN 1')\n"  # 5
        "    anything.read_tx(work)\n"  # 6
        "    tx.run('MATCH (n) RETURN n')\n"  # 7
        "    conn.read('list_api_keys')\n"  # 8: names a query in cypher/
        "    fn = db.run_in\n"  # 9: handed on, not called
        "    out.write('text')\n"
        "    con.execute('SELECT 1')\n"
        "    app.run(port=1)\n"
    )
    assert [line for line, _ in cypher_calls(source)] == [2, 3, 4, 5, 6, 7, 8, 9]


def test_cypher_runs_only_in_the_repository_or_the_driver_edge() -> None:
    misplaced = []
    for path in _outside_homes():
        for line, expr in cypher_calls(path.read_text(encoding="utf-8")):
            misplaced.append(f"{path.relative_to(ROOT)}:{line}: {expr}")
    assert not misplaced, (
        "Cypher run outside graphsvc/repository/ (and the driver edge graphsvc/graph/): move the "
        "query into a repository function and call that:\n" + "\n".join(misplaced)
    )
