#!/usr/bin/env bash
# Starts the local Neo4j, loads a synthetic demonstration register once, creates an
# investigator API key for this run and serves graphsvc on http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
GS=.venv/bin/graphsvc
PEOPLE=${DEMO_PEOPLE:-2000}
SEED=${DEMO_SEED:-42}
STATE=${GRAPHSVC_HOME:-.graphsvc}
mkdir -p "$STATE"
$GS db start
if [ ! -f "$STATE/demo-loaded-$PEOPLE-$SEED" ]; then
  $GS generate --people "$PEOPLE" --seed "$SEED" --out "$STATE/demo-register.jsonl"
  $GS load "$STATE/demo-register.jsonl" --rejects "$STATE/demo-rejects.jsonl"
  touch "$STATE/demo-loaded-$PEOPLE-$SEED"
fi
echo "An investigator key for this demonstration (shown once):"
$GS keys create --role investigator --name "demo $(date -u +%Y-%m-%dT%H:%M)"
echo "Console: http://127.0.0.1:${PORT:-8080}/console/   API: http://127.0.0.1:${PORT:-8080}/api/v1/"
exec .venv/bin/gunicorn -c gunicorn.conf.py --bind "127.0.0.1:${PORT:-8080}" "graphsvc.app:create_app()"
