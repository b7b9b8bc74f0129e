#!/usr/bin/env bash
# Hygiene checks (issue 7): ruff, mypy (graphsvc, loaders, bench), bandit (graphsvc, loaders) and
# pip-audit (requirements.txt), all from the project's virtual environment.
#
#   .ci/hygiene.sh            # every check; a summary at the end; exit 1 if any check fails
#   HYGIENE_SKIP=pip-audit .ci/hygiene.sh   # skip checks by name (space-separated), e.g. offline
#
# Each tool is pinned in requirements-dev.txt (appended there once, atomically, if missing)
# and installed into .venv when the installed version differs. Full outputs are kept in
# $HYGIENE_OUT (default: a fresh temporary folder, printed at the end).
set -uo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  echo "hygiene: no .venv; run scripts/setup.sh first" >&2
  exit 2
fi
OUT="${HYGIENE_OUT:-$(mktemp -d -t graphsvc-hygiene.XXXXXX)}"
mkdir -p "$OUT"
SKIP=" ${HYGIENE_SKIP:-} "

# -- tools, pinned ------------------------------------------------------------------------------
declare -A PINS=([ruff]=0.14.0 [mypy]=2.4.1 [bandit]=1.9.4 [pip-audit]=2.10.1)
for tool in ruff mypy bandit pip-audit; do
  if ! grep -qiE "^${tool}==" requirements-dev.txt; then
    echo "${tool}==${PINS[$tool]}" >> requirements-dev.txt   # one short append: atomic
  fi
  want=$(grep -iE "^${tool}==" requirements-dev.txt | head -1 | tr -d '[:space:]')
  have=$("$PY" -m pip show "$tool" 2>/dev/null | awk '/^Version:/ {print $2}')
  if [ "${tool}==${have}" != "$want" ]; then
    echo "hygiene: installing $want" >&2
    "$PY" -m pip install -q "$want" || { echo "hygiene: could not install $want" >&2; exit 2; }
  fi
done

declare -A STATUS SUMMARY
run() {  # run NAME CMD...: output to $OUT/NAME.txt, exit status kept
  local name=$1; shift
  if [[ "$SKIP" == *" $name "* ]]; then
    STATUS[$name]=skipped; SUMMARY[$name]="skipped (HYGIENE_SKIP)"; return
  fi
  echo "== $name: $*" >&2
  "$@" >"$OUT/$name.txt" 2>&1
  STATUS[$name]=$?
}

run ruff "$PY" -m ruff check --output-format concise graphsvc loaders tests bench
run mypy "$PY" -m mypy graphsvc loaders bench
run bandit "$PY" -m bandit -r graphsvc loaders -q \
  -f custom --msg-template '{relpath}:{line}: {test_id} [{severity}/{confidence}] {msg}'
run pip-audit "$PY" -m pip_audit -r requirements.txt --progress-spinner off

# -- summary ------------------------------------------------------------------------------------
count() { grep -cE "$1" "$OUT/$2.txt" 2>/dev/null || true; }
[ "${STATUS[ruff]}" = skipped ] || SUMMARY[ruff]="$(count '^[^ ].*:[0-9]+:[0-9]+: ' ruff) finding(s)"
[ "${STATUS[mypy]}" = skipped ] || SUMMARY[mypy]="$(tail -1 "$OUT/mypy.txt")"
if [ "${STATUS[bandit]}" != skipped ]; then
  SUMMARY[bandit]="$(count ': B[0-9]+ \[' bandit) finding(s): high $(count '\[HIGH/' bandit), medium $(count '\[MEDIUM/' bandit), low $(count '\[LOW/' bandit)"
fi
if [ "${STATUS[pip-audit]}" != skipped ]; then
  SUMMARY[pip-audit]="$(grep -E 'known vulnerabilit|No known' "$OUT/pip-audit.txt" | tail -1)"
  [ -n "${SUMMARY[pip-audit]}" ] || SUMMARY[pip-audit]="$(tail -1 "$OUT/pip-audit.txt")"
  # "No known vulnerabilities" means nothing when the vulnerability service could not be asked
  # (no route to PyPI's JSON API, a mirror without it): then the packages were not audited.
  unaudited=$(count 'could not be audited' pip-audit)
  if [ "$unaudited" -gt 0 ]; then
    STATUS[pip-audit]=3
    SUMMARY[pip-audit]="NOT AUDITED: $unaudited package(s) could not be looked up (vulnerability service unreachable?); ${SUMMARY[pip-audit]}"
  fi
fi

failed=0
echo
echo "hygiene summary (full outputs in $OUT):"
for name in ruff mypy bandit pip-audit; do
  status=${STATUS[$name]}
  if [ "$status" = skipped ]; then verdict=SKIP
  elif [ "$status" = 0 ]; then verdict=ok
  else verdict=FAIL; failed=1
  fi
  printf '  %-9s %-4s  %s\n' "$name" "$verdict" "${SUMMARY[$name]}"
done
exit "$failed"
