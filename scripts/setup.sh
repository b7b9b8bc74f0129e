#!/usr/bin/env bash
# Installs everything graphsvc needs on a fresh machine of this kind (idempotent):
# the Python virtual environment with pinned packages, the local Neo4j (Maven), and whatever
# each feature's scripts/setup.d/*.sh adds (browser, npm packages, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
( cd neo4j-local && mvn -q -B package )
for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  echo "setup: $step" >&2
  bash "$step"
done
