#!/usr/bin/env bash
# Benchmark: sustained confirmed session calls per second against the local devnet, from
# Warden's SessionClient (1 and 8 concurrent tasks sharing one client) and from the
# official TypeScript client (@alchemy/wallet-apis, benches/session-ts) doing the same flow
# in the same run, each round on a fresh `warden devnet` of the same build; prints each
# rate and the Rust/TypeScript ratio. Not part of the tests.
#
#   scripts/session-bench.sh [--release] [CALLS]     (CALLS per round, default 200)
#
# Without --release the debug profile is used (dependencies are optimized there anyway;
# the devnet, which both clients wait on, is the same binary for both).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=debug
cargo_flags=()
if [[ "${1:-}" == "--release" ]]; then
  profile=release
  cargo_flags=(--release)
  shift
fi
calls="${1:-200}"
target="${CARGO_TARGET_DIR:-target}"

scripts/setup.sh --test >/dev/null
echo "session-bench: building warden and the bench ($profile)" >&2
cargo build -p warden-cli --locked --quiet --bin warden --example session_bench "${cargo_flags[@]}"
if [[ ! -d benches/session-ts/node_modules ]]; then
  echo "session-bench: installing the pinned official client (benches/session-ts)" >&2
  (cd benches/session-ts && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

work="$(mktemp -d)"
devnet_pid=""
stop_devnet() {
  # SIGINT: `warden devnet` stops its anvil on Ctrl-C (a SIGTERM would orphan it).
  if [[ -n "$devnet_pid" ]]; then
    kill -INT "$devnet_pid" 2>/dev/null || true
    wait "$devnet_pid" 2>/dev/null || true
    devnet_pid=""
  fi
}
trap 'stop_devnet; rm -rf "$work"' EXIT

# Each round gets a fresh devnet: the devnet slows down as it ages (measured: a second
# round of the same client on the same devnet ran about 2× slower), so sharing one across
# rounds would favour whichever client runs first.
start_devnet() {
  stop_devnet
  : >"$work/devnet.out"
  # (The devnet installs its own SIGINT handler, so the ignored SIGINT a script's
  # background job inherits does not matter.)
  "$target/$profile/warden" devnet --port 0 >"$work/devnet.out" 2>"$work/devnet.err" &
  devnet_pid=$!
  for _ in $(seq 1 600); do
    grep -q "listening on" "$work/devnet.out" 2>/dev/null && break
    kill -0 "$devnet_pid" 2>/dev/null || { cat "$work/devnet.err" >&2; exit 1; }
    sleep 0.1
  done
  # warden devnet listening on WALLET_URL chain ID node NODE_URL
  url="$(sed -n 's/.*listening on \(http:[^ ]*\) chain .*/\1/p' "$work/devnet.out")"
  node_url="$(sed -n 's/.* node \(http:[^ ]*\)$/\1/p' "$work/devnet.out")"
  [[ -n "$url" && -n "$node_url" ]] || { echo "session-bench: the devnet did not start" >&2; exit 1; }
}

echo "session-bench: $calls confirmed calls per round, each round on a fresh devnet" >&2
bench="$target/$profile/examples/session_bench"
for tasks in 1 8; do
  start_devnet
  "$bench" --endpoint "$url" --rpc-url "$node_url" --calls "$calls" --tasks "$tasks" | tee -a "$work/results"
  start_devnet
  "$bench" --endpoint "$url" --rpc-url "$node_url" --tasks "$tasks" --emit-credentials "$work" --emit-only
  node benches/session-ts/bench.mjs "$url" "$node_url" "$work/ts-$tasks.json" "$tasks" "$calls" | tee -a "$work/results"
done
stop_devnet

awk '
  { for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] } rate[$1, f["tasks"]] = f["calls_per_s"] }
  END {
    for (t = 1; t <= 8; t *= 8)
      if (rate["ts", t] > 0)
        printf "ratio tasks=%d rust/ts=%.2f (rust %.1f calls/s, ts %.1f calls/s)\n", t, rate["rust", t] / rate["ts", t], rate["rust", t], rate["ts", t]
  }' "$work/results"
