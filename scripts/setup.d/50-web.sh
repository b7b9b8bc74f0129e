#!/usr/bin/env bash
# The investigator console and HTML export: npm packages from the lock file, the renderer
# copied into graphsvc/web/static/vendor/ (git-ignored, served locally: no CDN), and Debian's
# Chromium for the browser tests. Idempotent: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f node_modules/cytoscape/dist/cytoscape.min.js ] || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
mkdir -p graphsvc/web/static/vendor
if ! cmp -s node_modules/cytoscape/dist/cytoscape.min.js graphsvc/web/static/vendor/cytoscape.min.js; then
  cp node_modules/cytoscape/dist/cytoscape.min.js graphsvc/web/static/vendor/cytoscape.min.js
fi
cp node_modules/cytoscape/LICENSE graphsvc/web/static/vendor/cytoscape.LICENSE 2>/dev/null || true
# PNG export draws with CairoSVG, which needs the cairo library.
if ! ldconfig -p | grep -q 'libcairo.so.2'; then
  apt-get update && apt-get install -y libcairo2
fi
if [ ! -x /usr/bin/chromium ]; then
  apt-get update && apt-get install -y chromium
fi
