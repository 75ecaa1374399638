// Load benchmark of a running devnet, driven by the official client: session calls
// (prepare → sign → send → getCallsStatus until terminal) from concurrent senders.
//
//   node load.mjs WALLET_URL NODE_URL [--senders 8] [--calls 50]
//
// Three rounds: SENDERS senders each with its own account and session; SENDERS sessions of
// ONE shared account sending at once; one sender alone. Each prints calls/s, p50 and p99
// (from the start of prepare to the terminal status), and proves nothing was lost or
// duplicated (with 2,000 calls or more in a round, also the rate of its first and last 1,000,
// to show whether the devnet slows down as it runs: --calls 625 gives 5,000): every call id is distinct and confirmed (200), each recipient received
// exactly the sum of the values sent to it, and each session's usage equals that sum.
// A benchmark, not a test: it is not part of scripts/test.sh (see scripts/devnet-load.sh).
import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { Wire, rpc, devnetChain, walletClient, balanceOf } from "./lib.mjs";

const args = process.argv.slice(2);
const [url, node] = args[0]?.startsWith("--") ? [] : args;
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
if (!url || !node) {
  console.error("usage: node load.mjs WALLET_URL NODE_URL [--senders N] [--calls N]");
  process.exit(2);
}
const SENDERS = opt("senders", 8);
const CALLS = opt("calls", 50);

const wire = new Wire();
const chain = await devnetChain(node);
const client = (signer, account) => walletClient({ url, chain, wire, signer, account });
const newKey = () => privateKeyToAccount(generatePrivateKey());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A funded SMA-B account of a new owner, deployed by one owner call. */
async function newAccount() {
  const owner = newKey();
  const { address } = await client(owner).requestAccount();
  await rpc(url, "devnet_fund", [address, "0x" + parseEther("100").toString(16)]);
  const owned = client(owner, address);
  const { id } = await owned.sendCalls({ calls: [{ to: address, value: 0n }] });
  await terminal(owned, id);
  return { owned, address };
}

/** A session of `owned` that may send native value to `recipient`. */
async function newSession(owned, recipient) {
  const key = newKey();
  const permissions = await owned.grantPermissions({
    expirySec: Math.floor(Date.now() / 1000) + 86_400,
    key: { publicKey: key.address, type: "secp256k1" },
    permissions: [
      { type: "native-token-transfer", data: { allowance: parseEther("1") } },
      { type: "contract-access", data: { address: recipient } },
    ],
  });
  const sessionId = "0x" + permissions.context.slice(4, 36);
  return { key, permissions, sessionId };
}

async function terminal(c, id) {
  for (;;) {
    const s = await c.getCallsStatus({ id });
    if (s.statusCode >= 200) return s.statusCode;
    await sleep(10);
  }
}

/** One sender: CALLS session calls, one after another; returns per-call records. */
async function sender(c, permissions, recipient, base) {
  const out = [];
  for (let i = 0; i < CALLS; i++) {
    const value = base + BigInt(i);
    const t0 = performance.now();
    const { id } = await c.sendCalls({ calls: [{ to: recipient, value }], capabilities: { permissions } });
    const status = await terminal(c, id);
    const done = performance.now();
    out.push({ id, status, value, recipient, ms: done - t0, done });
  }
  return out;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** Runs `lanes` concurrently and checks and prints the round. */
async function round(name, lanes) {
  const before = new Map();
  for (const l of lanes) if (!before.has(l.recipient)) before.set(l.recipient, await balanceOf(node, l.recipient));
  const t0 = performance.now();
  const results = (
    await Promise.all(lanes.map((l, n) => sender(client(l.session.key, l.account), l.session.permissions, l.recipient, BigInt(1_000_000 * (n + 1)))))
  ).flat();
  const seconds = (performance.now() - t0) / 1000;
  const problems = [];
  const ids = new Set(results.map((r) => r.id));
  if (ids.size !== results.length) problems.push(`${results.length - ids.size} duplicated call ids`);
  if (results.length !== lanes.length * CALLS) problems.push(`${results.length} calls, expected ${lanes.length * CALLS}`);
  const bad = results.filter((r) => r.status !== 200);
  if (bad.length) problems.push(`${bad.length} calls not confirmed (${bad.map((r) => r.status).join(",")})`);
  const sent = new Map();
  for (const r of results) sent.set(r.recipient, (sent.get(r.recipient) ?? 0n) + r.value);
  for (const [recipient, sum] of sent) {
    const moved = (await balanceOf(node, recipient)) - before.get(recipient);
    if (moved !== sum) problems.push(`${recipient} received ${moved} wei, ${sum} were sent`);
  }
  for (const [n, l] of lanes.entries()) {
    const u = await rpc(url, "devnet_sessionUsage", [l.session.sessionId]);
    const spent = BigInt(u.limits.find((x) => x.type === "native-token-transfer").spent);
    const base = BigInt(1_000_000 * (n + 1));
    const expected = BigInt(CALLS) * base + BigInt((CALLS * (CALLS - 1)) / 2);
    if (spent !== expected) problems.push(`session ${n}: usage ${spent}, sent ${expected}`);
  }
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  // Does the devnet slow down as it runs? The rate of the first and of the last 1,000 calls.
  let drift = "";
  const W = 1000;
  if (results.length >= 2 * W) {
    const done = results.map((r) => r.done).sort((a, b) => a - b);
    const first = W / ((done[W - 1] - t0) / 1000);
    const last = W / ((done[done.length - 1] - done[done.length - 1 - W]) / 1000);
    drift = `first ${W}: ${first.toFixed(1)} calls/s, last ${W}: ${last.toFixed(1)} calls/s (${(((last - first) / first) * 100).toFixed(1)} %); `;
  }
  console.log(
    `${name}: ${results.length} calls in ${seconds.toFixed(2)} s → ${(results.length / seconds).toFixed(1)} calls/s, ` +
      `p50 ${pct(ms, 50).toFixed(0)} ms, p99 ${pct(ms, 99).toFixed(0)} ms; ${drift}` +
      (problems.length ? `PROBLEMS: ${problems.join("; ")}` : "none lost or duplicated, balances and usage match"),
  );
  return problems.length === 0;
}

let ok = true;
{
  const lanes = [];
  for (let i = 0; i < SENDERS; i++) {
    const { owned, address } = await newAccount();
    const recipient = newKey().address;
    lanes.push({ account: address, recipient, session: await newSession(owned, recipient) });
  }
  ok = (await round(`${SENDERS} senders × ${CALLS} (own accounts)`, lanes)) && ok;
}
{
  const { owned, address } = await newAccount();
  const recipient = newKey().address;
  const lanes = [];
  for (let i = 0; i < SENDERS; i++) lanes.push({ account: address, recipient, session: await newSession(owned, recipient) });
  ok = (await round(`${SENDERS} senders × ${CALLS} (one shared account)`, lanes)) && ok;
}
{
  const { owned, address } = await newAccount();
  const recipient = newKey().address;
  ok = (await round(`1 sender × ${CALLS}`, [{ account: address, recipient, session: await newSession(owned, recipient) }])) && ok;
}
if (wire.problems.length) {
  ok = false;
  console.log(`wire problems:\n  ${wire.problems.slice(0, 10).join("\n  ")}`);
} else {
  console.log(`wire: ${wire.validated} wallet_* params/results valid against the official schemas`);
}
process.exit(ok ? 0 : 1);
