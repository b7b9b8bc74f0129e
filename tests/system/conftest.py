"""The console's browser tests share one synthetic register per test run: generated and loaded
here once (with identity resolution); each console module checks it is still in the graph
and loads it again if another module's test emptied the database in between."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="session")
def console_register(neo4j_env, _database, tmp_path_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    from graphsvc.synthetic import generate_register

    try:
        from tests.system.console_fixtures import PEOPLE, SEED, load_register
    except ImportError:  # tests/ is not a package
        from console_fixtures import PEOPLE, SEED, load_register  # type: ignore[no-redef]
    out = tmp_path_factory.mktemp("console-register") / "register.jsonl"
    generate_register(people=PEOPLE, seed=SEED, out=out)
    load_register(neo4j_env, _database, out)
    persons = int(_database.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"])
    return {"path": out, "persons": persons}
