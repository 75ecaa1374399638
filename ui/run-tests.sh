#!/usr/bin/env bash
# Every check of the web UI, in the order a failure is cheapest to read: type check
# (svelte-check), component and unit tests (Vitest, jsdom), the production build, then page
# tests of that build in Debian's headless Chromium. Screenshots land in ui/test-results/.
# Needs Node >= 20.19, /usr/bin/chromium and zbarimg (scripts/setup.sh --test installs them).
set -euo pipefail
cd "$(dirname "$0")"

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a < 20 || (a === 20 && b < 19)) { console.error(`ui: Node ${process.versions.node} is too old: Vite needs 20.19 or later`); process.exit(1); }'
for tool in "${CHROMIUM_PATH:-/usr/bin/chromium}" zbarimg; do
  command -v "$tool" >/dev/null 2>&1 || { echo "ui: $tool is missing: run scripts/setup.sh --test" >&2; exit 1; }
done

npm install --no-audit --no-fund --loglevel=error
npm run check
npm test
npm run build
npm run test:pages
echo "ui: screenshots in $(pwd)/test-results"
