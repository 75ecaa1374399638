#!/usr/bin/env bash
# Starts a local devnet (`warden devnet --port 0`), drives it through the official Wallets
# API clients (conformance.mjs, given the wallet URL and the node URL of the ready line),
# stops it, and exits non-zero on any failed check or if the devnet counted any chain
# request at its wallet URL (a client that would fail on Alchemy).
#
#   tests/conformance/run.sh                  the debug `warden` of the target dir
#   WARDEN_BIN=path tests/conformance/run.sh  another binary (load.mjs uses a release one)
#
# The binary is the one `cargo test` already built (target/debug/warden, or under
# CARGO_TARGET_DIR); it is built with `cargo build -p warden-cli` only when missing or
# older than a source file, so CI (right after `cargo test`) builds nothing again.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
script="${CONFORMANCE_SCRIPT:-conformance.mjs}"

fail() {
  echo "conformance: $*" >&2
  echo "conformance: 0 passed, 1 failed"
  exit 1
}

if [[ -z "${WARDEN_BIN:-}" ]]; then
  target="${CARGO_TARGET_DIR:-$root/target}"
  [[ "$target" = /* ]] || target="$root/$target"
  WARDEN_BIN="$target/debug/warden"
  if [[ ! -x "$WARDEN_BIN" || -n "$(find "$root"/crates/{cli,core,devnet,keychain}/src -newer "$WARDEN_BIN" -name '*.rs' -print -quit 2>/dev/null)" ]]; then
    echo "conformance: building warden ($WARDEN_BIN is missing or older than the sources)" >&2
    (cd "$root" && cargo build -p warden-cli --locked --quiet) || fail "cargo build -p warden-cli failed"
  fi
fi
[[ -x "$WARDEN_BIN" ]] || fail "no warden binary at $WARDEN_BIN"
if [[ ! -d "$here/node_modules/@alchemy/wallet-apis" ]]; then
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null) || fail "npm install failed"
fi

work="$(mktemp -d)"
devnet_pid=""
stop_devnet() {
  if [[ -n "$devnet_pid" ]] && kill -0 "$devnet_pid" 2>/dev/null; then
    # SIGINT is the devnet's Ctrl-C: it stops the anvil it started, then exits.
    kill -INT "$devnet_pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$devnet_pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$devnet_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_devnet EXIT

"$WARDEN_BIN" devnet --port 0 >"$work/stdout" 2>"$work/stderr" &
devnet_pid=$!
url=""
node_url=""
for _ in $(seq 600); do
  # warden devnet listening on WALLET_URL chain ID node NODE_URL
  line="$(grep -m1 -E '^warden devnet listening on http://127\.0\.0\.1:[0-9]+ chain [0-9]+ node http://127\.0\.0\.1:[0-9]+$' "$work/stdout" || true)"
  if [[ -n "$line" ]]; then
    url="$(awk '{print $5}' <<<"$line")"
    node_url="$(awk '{print $9}' <<<"$line")"
    break
  fi
  kill -0 "$devnet_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ -z "$url" ]]; then
  cat "$work/stderr" >&2
  fail "the devnet did not print its ready line"
fi
echo "conformance: devnet at $url, node at $node_url ($WARDEN_BIN)" >&2

status=0
node "$here/$script" "$url" "$node_url" "$@" || status=$?
# Whatever the script checked itself: a chain request at the wallet URL fails the run.
misrouted="$(node -e '
  fetch(process.argv[1], { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "devnet_misroutedRequests", params: [] }) })
    .then((r) => r.json()).then((b) => console.log(JSON.stringify(b.result ?? b.error)))' "$url")"
if [[ "$misrouted" != '{"total":0,"byMethod":{}}' ]]; then
  echo "conformance: chain requests reached the wallet URL: $misrouted" >&2
  status=1
fi
exit "$status"
