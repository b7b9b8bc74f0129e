"""The overdue worklist's first page on a loaded register (issue #21: at most 100 ms at 1M people).

Reads the register the environment names (``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, or
the local database of ``GRAPHSVC_HOME``), as loaded by ``graphsvc load`` of a synthetic register,
and times the first page (50 rows) of the nation's worklist and of one agency's as of the
generator's day, p50 and p99 over --repeats reads, beside a one-node read by id in the same run
(the ratio is the figure: this machine is shared).

    GRAPHSVC_HOME=/tmp/gs-1m .venv/bin/python bench/register_first_page.py --agency MPS

Prints one JSON object; the figures go in docs/register.md.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from benchlib import timed_ms

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agency", default="MPS")
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    from graphsvc.config import Settings
    from graphsvc.graph.db import Database
    from graphsvc.services import register as register_service
    from graphsvc.synthetic import params

    db = Database(Settings.from_env())
    as_of = params.AS_OF
    some = db.execute("MATCH (r:Registration) RETURN r.id AS id LIMIT 1")[0]["id"]
    out: dict[str, Any] = {
        "persons": db.execute("MATCH (p:Person) RETURN count(p) AS n")[0]["n"],
        "registrations": db.execute("MATCH (r:Registration) RETURN count(r) AS n")[0]["n"],
        "first_page_rows": len(register_service.overdue(db, limit=50, today=as_of)["persons"]),
        "baseline_one_node_by_id": timed_ms(
            lambda: db.execute("MATCH (r:Registration {id: $id}) RETURN r.id AS id", id=some), args.repeats),
        "national": timed_ms(lambda: register_service.overdue(db, limit=50, today=as_of), args.repeats),
        "agency": {"agency": args.agency, **timed_ms(lambda: register_service.overdue(db, args.agency, limit=50,
                                                                                   today=as_of), args.repeats)},
    }
    base = out["baseline_one_node_by_id"]["p50_ms"]
    out["ratio_national_p50"] = round(out["national"]["p50_ms"] / base, 2)
    out["ratio_agency_p50"] = round(out["agency"]["p50_ms"] / base, 2)
    print(json.dumps(out, indent=2))
    db.close()


if __name__ == "__main__":
    main()
