"""Benchmark: export a ~2,000-node neighbourhood in every format (target: at most 2 s each).

Starts its own local Neo4j in a temporary folder (or uses NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD
when set), loads a synthetic register shaped as one prolific offender, and times
``export_network`` end to end (read + projection + writer) per format, best and median of
``--runs`` runs. Results as a Markdown table (paste into docs/exports.md); the HTML export of
the same network is left in bench/out/ for bench/export_console_frames.py.

    .venv/bin/python bench/export_bench.py [--victims 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import neo4j

from graphsvc.graph.db import Database
from graphsvc.export import FORMATS
from graphsvc.services.exports import export_network, person_network

ROOT = Path(__file__).resolve().parent.parent
OFFENDER = "BENCH-P0"


def synthetic_records(victims: int) -> list[dict[str, Any]]:
    """One offender, two incidents against each victim, an order for every sixth victim,
    every victim with a phone and an address, and another offender per victim (so depth 2
    reaches ~6.8 nodes per victim: 300 victims give ~2,050 nodes). All fictional."""
    types = ["call", "text", "following", "loitering", "visit", "damage", "threat"]
    recs: list[dict[str, Any]] = [
        {"kind": "person", "id": OFFENDER, "source": "WMP", "given_name": "Bench", "family_name": "Offender",
         "phones": ["07700 900000"], "emails": ["bench.offender@example.org"]},
    ]
    for v in range(victims):
        src = ("WMP", "GMP", "MPS", "TVP")[v % 4]
        vid, qid = f"BENCH-V{v}", f"BENCH-Q{v}"
        recs.append({"kind": "person", "id": vid, "source": src, "given_name": f"Victim{v}", "family_name": "Bench",
                     "phones": [f"+44 7700 9{v:05d}"[:16]],
                     "addresses": [{"line1": f"{v} Bench Road", "town": "Coventry", "postcode": "CV1 1AA"}]})
        recs.append({"kind": "person", "id": qid, "source": src, "given_name": f"Other{v}", "family_name": "Bench"})
        for k in range(2):
            recs.append({"kind": "incident", "id": f"BENCH-I{v}-{k}", "source": src,
                         "occurred_at": f"20{20 + (v + k) % 6}-0{1 + k}-{10 + v % 18:02d}",
                         "type": types[(v + k) % len(types)], "offender_ids": [OFFENDER], "victim_ids": [vid],
                         "identifiers_used": {"phones": ["07700 900000"]} if k == 0 and v % 10 == 0 else {}})
        recs.append({"kind": "incident", "id": f"BENCH-J{v}", "source": src, "occurred_at": "2019-05-01",
                     "type": "call", "offender_ids": [qid], "victim_ids": [vid]})
        if v % 6 == 0:
            recs.append({"kind": "order", "id": f"BENCH-O{v}", "source": src, "type": "restraining_order",
                         "issued_on": "2022-01-01", "expires_on": "2027-01-01", "respondent_id": OFFENDER,
                         "protected_ids": [vid]})
    return recs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--victims", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--depth", type=int, default=2)
    args = parser.parse_args()

    from graphsvc.services.ingest import load
    from loaders.sources import RawRecord

    with neo4j(heap_mib=1024, pagecache_mib=256, from_env=True) as settings, Database(settings) as db:
        own = settings.uses_local_db  # a fresh database of its own: load the register first
        db.apply_schema()
        if own:
            records = synthetic_records(args.victims)
            raws = [RawRecord("<bench>", i + 1, data=r) for i, r in enumerate(records)]
            t = time.perf_counter()
            load(db, raws, batch_size=2000)
            print(f"loaded {len(records)} records in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        net = person_network(db, OFFENDER, args.depth, "investigator", "bench")
        print(f"network: {net.provenance['node_count']} nodes, {net.provenance['edge_count']} edges "
              f"(depth {args.depth})", file=sys.stderr)
        export_network(db, OFFENDER, args.depth, "cytoscape", "investigator", "bench")  # warm up
        read_times, read_cpu = [], []
        for _ in range(args.runs):
            t, c = time.perf_counter(), time.process_time()
            person_network(db, OFFENDER, args.depth, "investigator", "bench")
            read_times.append(time.perf_counter() - t)
            read_cpu.append(time.process_time() - c)
        rows = [("(read + projection only)", min(read_times), statistics.median(read_times), 0,
                 statistics.median(read_cpu))]
        out_dir = ROOT / "bench" / "out"
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, fmt in FORMATS.items():
            times, cpu = [], []
            content = b""
            for _ in range(args.runs):
                t, c = time.perf_counter(), time.process_time()
                content, _ = export_network(db, OFFENDER, args.depth, name, "investigator", "bench")
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            (out_dir / f"network-{net.provenance['node_count']}.{fmt.extension}").write_bytes(content)
            rows.append((name, min(times), statistics.median(times), len(content), statistics.median(cpu)))
    print(f"\n{net.provenance['node_count']} nodes, {net.provenance['edge_count']} edges, "
          f"{args.runs} runs each, end to end through export_network:\n")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| format | best (s) | median (s) | median CPU of this process (s) | size (bytes) | within 2 s |")
    print("|---|---:|---:|---:|---:|:---:|")
    for name, best, median, size, cpu_s in rows:
        print(f"| {name} | {best:.3f} | {median:.3f} | {cpu_s:.3f} | {size:,} | {'yes' if median <= 2.0 else 'NO'} |")


if __name__ == "__main__":
    main()
