"""The layers of docs/architecture.md import downward only, and no module imports in a circle.

Read from the source with :mod:`ast` (nothing is imported): every ``import`` and ``from ...
import`` of a graphsvc or loaders module, at module level or inside a function, is an edge.
A function-local import of one of our modules is allowed only where a comment on its line or
in the comment lines right above says ``heavy:`` and names the heavy dependency it defers (Splink and DuckDB, for
example): never to hide a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2]

#: Each layer and its rank: a module may import its own layer's modules and any lower rank.
LAYERS: list[tuple[str, int]] = [
    ("loaders", 0),
    ("graphsvc.errors", 1),
    ("graphsvc.linkage", 2),
    ("graphsvc.synthetic", 2),
    ("graphsvc.analysis", 3),
    ("graphsvc.config", 4),
    ("graphsvc.graph", 5),
    ("graphsvc.repository", 6),
    ("graphsvc.security", 7),
    ("graphsvc.export", 8),
    ("graphsvc.services", 9),
    ("graphsvc.extensions", 10),
    ("graphsvc.api", 11),
    ("graphsvc.web", 11),
    ("graphsvc.app", 12),
    ("graphsvc.cli", 13),
    ("graphsvc", 14),  # the package's own __init__ (create_app, re-exported)
]


def _modules() -> dict[str, Path]:
    out = {}
    for top in ("graphsvc", "loaders"):
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _layer(module: str) -> tuple[str, int]:
    for name, rank in LAYERS:
        if module == name or module.startswith(name + "."):
            return name, rank
    raise AssertionError(f"{module} is in no layer of tests/unit/test_layers.py: add it to docs/architecture.md too")


def _imports(module: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int, bool]]:
    """(imported module, line, function-local) for each import of one of ours."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] + [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        ours = [n for n in names if n in known]
        if ours:
            for name in {max(ours, key=len)} | {n for n in ours if n != target}:
                found.append((name, node.lineno, id(node) not in top))
    return found


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_every_module_imports_downward_only() -> None:
    known = _modules()
    upward = []
    for module, path in sorted(known.items()):
        layer, rank = _layer(module)
        for target, line, _ in _imports(module, path, known):
            other, other_rank = _layer(target)
            if other != layer and other_rank >= rank:
                upward.append(f"{path.relative_to(ROOT)}:{line}: {module} ({layer}) imports {target} ({other})")
    assert not upward, "imports that go up or sideways:\n" + "\n".join(upward)


def test_no_module_imports_in_a_circle() -> None:
    known = _modules()
    graph = nx.DiGraph()
    for module, path in known.items():
        graph.add_node(module)
        for target, _, _ in _imports(module, path, known):
            if target != module:
                graph.add_edge(module, target)
    cycles = sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1)
    assert not cycles, f"modules that import each other: {cycles}"


def test_function_local_imports_say_why() -> None:
    known = _modules()
    unexplained = []
    for module, path in sorted(known.items()):
        lines = _lines(path)
        for target, line, local in _imports(module, path, known):
            if not local:
                continue
            context = [lines[line - 1]]
            above = line - 2
            while above >= 0 and lines[above].strip().startswith("#"):  # the comment block above it
                context.append(lines[above])
                above -= 1
            if not any("heavy:" in text for text in context):
                unexplained.append(f"{path.relative_to(ROOT)}:{line}: {target}")
    assert not unexplained, ("function-local imports of our own modules without a 'heavy:' comment "
                             "naming the heavy dependency they defer:\n" + "\n".join(unexplained))
