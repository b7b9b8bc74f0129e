#!/usr/bin/env bash
# The investigator console and HTML export: npm packages from the lock file, the browser files
# copied into graphsvc/web/static/vendor/ (git-ignored, served locally: no CDN), and Debian's
# Chromium for the browser tests. Idempotent: each step is skipped when already done.
#   cytoscape (renderer) + layout-base, cose-base, cytoscape-fcose (the compound force layout);
#   axe-core stays in node_modules/: the browser tests inject it, the console never serves it.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -f node_modules/cytoscape-fcose/cytoscape-fcose.js ] || [ ! -f node_modules/axe-core/axe.min.js ] \
   || ! npm ls --silent >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi
mkdir -p graphsvc/web/static/vendor
# The order matters to the page: each UMD file finds the one before it as a global.
for pair in cytoscape/dist/cytoscape.min.js:cytoscape.min.js layout-base/layout-base.js:layout-base.js \
            cose-base/cose-base.js:cose-base.js cytoscape-fcose/cytoscape-fcose.js:cytoscape-fcose.js; do
  src=node_modules/${pair%%:*}; dst=graphsvc/web/static/vendor/${pair##*:}
  cmp -s "$src" "$dst" || cp "$src" "$dst"
done
for pkg in cytoscape layout-base cose-base cytoscape-fcose; do
  cp "node_modules/$pkg/LICENSE" "graphsvc/web/static/vendor/$pkg.LICENSE" 2>/dev/null || true
done
# PNG export draws with CairoSVG, which needs the cairo library.
if ! ldconfig -p | grep -q 'libcairo.so.2'; then
  apt-get update && apt-get install -y libcairo2
fi
if [ ! -x /usr/bin/chromium ]; then
  apt-get update && apt-get install -y chromium
fi
