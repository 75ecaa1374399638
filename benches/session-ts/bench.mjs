// The official client's side of scripts/session-bench.sh: sustained confirmed session calls
// per second against a devnet, from one client shared by TASKS concurrent tasks — the same
// flow as Warden's SessionClient (crates/cli/examples/session_bench.rs).
//
//   node bench.mjs WALLET_URL NODE_URL CREDENTIALS.json TASKS CALLS
//
// The wallet URL serves wallet_* (the client), the node URL the chain (balances here).
//
// CREDENTIALS is a warden.session.v1 document with a plaintext key, granted by the Rust
// side (native limit + contract access to one recipient). Every call is prepared
// (wallet_prepareCalls with the permissions context), signed, sent, and its status polled
// to a final code. As in SessionClient, prepare → sign → send is serialized per client
// (the endpoint picks the nonce at prepare, so overlapping prepares would collide) while
// waiting overlaps. One warm-up call installs the session first. Prints one line:
//   ts tasks=N calls=N seconds=S calls_per_s=R
import { readFileSync } from "node:fs";
import { createSmartWalletClient, alchemyWalletTransport } from "@alchemy/wallet-apis";
import { defineChain } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const [url, nodeUrl, credsPath, tasksArg, callsArg] = process.argv.slice(2);
if (!url || !nodeUrl || !credsPath) {
  console.error("usage: node bench.mjs WALLET_URL NODE_URL CREDENTIALS.json TASKS CALLS");
  process.exit(2);
}
const TASKS = Number(tasksArg ?? 1);
const CALLS = Number(callsArg ?? 200);
const creds = JSON.parse(readFileSync(credsPath, "utf8"));
const recipient = creds.permissions.find((p) => p.type === "contract-access").data.address;

async function rpc(method, params = []) {
  const res = await fetch(nodeUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const chain = defineChain({
  id: Number(BigInt(creds.chainId)),
  name: "Warden devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [nodeUrl] } },
});
const client = createSmartWalletClient({
  signer: privateKeyToAccount(creds.secret.privateKey),
  transport: alchemyWalletTransport({ url, apiKey: "devnet-bench" }),
  chain,
  account: creds.account,
});
const permissions = { context: creds.context };

// Serializes prepare → sign → send, as SessionClient does.
let lock = Promise.resolve();
function serialized(fn) {
  const run = lock.then(fn, fn);
  lock = run.catch(() => {});
  return run;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls like Warden's WaitPolicy: at once, then 100 ms growing by 1.5× to 2 s. */
async function waitFinal(id) {
  for (let poll = 1; ; poll++) {
    const s = await client.getCallsStatus({ id });
    if (s.statusCode >= 200) return s.statusCode;
    await sleep(Math.min(100 * 1.5 ** (poll - 1), 2000));
  }
}

async function sendOne(value) {
  const { id } = await serialized(async () => {
    const prepared = await client.prepareCalls({ calls: [{ to: recipient, value }], capabilities: { permissions } });
    const signed = await client.signPreparedCalls(prepared);
    return client.sendPreparedCalls({ ...signed, capabilities: { permissions } });
  });
  return { id, status: await waitFinal(id), value };
}

const balance = async () => BigInt(await rpc("eth_getBalance", [recipient, "latest"]));

await sendOne(1n); // warm-up: installs the session
const before = await balance();
const started = performance.now();
const perTask = Math.floor(CALLS / TASKS);
const results = (
  await Promise.all(
    Array.from({ length: TASKS }, async (_, t) => {
      const out = [];
      for (let i = 0; i < perTask; i++) out.push(await sendOne(BigInt(1000 * (t + 1) + i)));
      return out;
    }),
  )
).flat();
const seconds = (performance.now() - started) / 1000;

const sent = results.reduce((a, r) => a + r.value, 0n);
const ids = new Set(results.map((r) => r.id));
const unconfirmed = results.filter((r) => r.status !== 200).length;
if (ids.size !== results.length || unconfirmed || (await balance()) - before !== sent) {
  console.error(`ts: ${TASKS} tasks lost, duplicated or failed calls (${unconfirmed} not confirmed)`);
  process.exit(1);
}
console.log(`ts tasks=${TASKS} calls=${results.length} seconds=${seconds.toFixed(2)} calls_per_s=${(results.length / seconds).toFixed(1)}`);
