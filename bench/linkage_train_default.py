"""Train the packaged default person model (graphsvc/linkage/models/person_default.json).

Unsupervised (no labels) on a synthetic register from graphsvc.linkage.synth; every value is
invented. Usage: .venv/bin/python bench/linkage_train_default.py [--people 10000] [--seed 7]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from graphsvc.linkage import prepare_persons, train_model
from graphsvc.linkage.synth import generate_persons

OUT = Path(__file__).resolve().parents[1] / "graphsvc" / "linkage" / "models" / "person_default.json"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    records, _ = generate_persons(args.people, seed=args.seed)
    model = train_model(prepare_persons(records), seed=args.seed)
    model.meta.update({"trained_on": "graphsvc.linkage.synth", "people": args.people})
    model.save(OUT)
    print(f"wrote {OUT} ({len(records)} records)")


if __name__ == "__main__":
    main()
