#!/usr/bin/env bash
# Times the protocol core (crates/core/benches/protocol.rs, criterion) and the same
# operations with viem (benches/viem, pinned), then prints Warden µs/op, viem µs/op and
# the ratio per operation, and whether the issue-2 speed targets hold.
# Not part of the test suite or CI: speed targets belong in benchmarks, not tests.
#
#   scripts/bench.sh                        both sides, about 2 minutes once built
#   scripts/bench.sh --measurement-time 10  extra options go to criterion
#   VIEM_MEASURE_MS=6000 scripts/bench.sh   longer viem runs (default 3000 ms per op)
#
# Needs Node 20+ and npm (installs benches/viem/node_modules from the lock file once).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "bench: node (20 or later) is required for the viem side" >&2
  exit 1
fi

target_dir=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')}
mkdir -p "$target_dir/bench"
viem_json="$target_dir/bench/viem.json"

echo "bench: Warden (criterion)" >&2
cargo bench --locked -p warden-core --bench protocol -- "$@"

if [[ ! -d benches/viem/node_modules/viem ]]; then
  echo "bench: installing benches/viem dependencies from package-lock.json" >&2
  (cd benches/viem && npm install --no-audit --no-fund)
fi
echo "bench: viem" >&2
node benches/viem/bench.mjs --json "$viem_json" --measure-ms "${VIEM_MEASURE_MS:-3000}"

node benches/viem/compare.mjs "${CRITERION_HOME:-$target_dir/criterion}" "$viem_json"
