// Talking to the app's own embedded devnet directly, as a test bench beside the app: the
// developer methods (`devnet_deployToken`, `devnet_mint`, `devnet_fund`, the test-only
// `devnet_setTamper`) on its wallet URL, and plain chain reads (`eth_getBalance`, an ERC-20
// `balanceOf`) on its node URL — two URLs, as Alchemy has two hosts. Both come from what the app
// reports (`backend_status`'s endpointHost and nodeHost); the devnet serves plain http on
// 127.0.0.1.
// Left out: anything the app itself is meant to do (accounts, grants, calls): those go
// through the UI.

import assert from 'node:assert/strict';

async function devnetStatus(app) {
  const status = await app.invoke('backend_status');
  assert.equal(status.ok, true, `backend_status: ${JSON.stringify(status)}`);
  assert.equal(status.value.kind, 'devnet', 'the app is on its local devnet');
  for (const host of [status.value.endpointHost, status.value.nodeHost]) {
    assert.match(host, /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/, 'the devnet listens on loopback');
  }
  assert.notEqual(status.value.endpointHost, status.value.nodeHost, 'the wallet API and the node are two endpoints');
  return status.value;
}

/** `http://host:port` of the wallet API of the devnet the app is running. */
export async function devnetUrl(app) {
  return `http://${(await devnetStatus(app)).endpointHost}`;
}

/** `http://host:port` of the node of the devnet the app is running (chain reads). */
export async function nodeUrl(app) {
  return `http://${(await devnetStatus(app)).nodeHost}`;
}

let nextId = 1;

/** One JSON-RPC call; resolves to `result`, rejects with the error object's text. */
export async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
  });
  const body = await res.json();
  if (body.error) {
    const e = new Error(`${method}: ${body.error.code} ${body.error.message}`);
    e.rpcCode = body.error.code;
    throw e;
  }
  return body.result;
}

export const toHex = (n) => `0x${BigInt(n).toString(16)}`;

/** Deploys the devnet's test ERC-20 (anyone may mint); resolves to its checksummed address. */
export async function deployToken(url, name, symbol, decimals) {
  const { address } = await rpc(url, 'devnet_deployToken', [name, symbol, decimals]);
  assert.match(address, /^0x[0-9a-fA-F]{40}$/);
  return address;
}

export async function mint(url, token, to, amount) {
  return rpc(url, 'devnet_mint', [token, to, toHex(amount)]);
}

/** Native balance in wei, as a BigInt. */
export async function balanceOf(url, address) {
  return BigInt(await rpc(url, 'eth_getBalance', [address, 'latest']));
}

/** ERC-20 `balanceOf(holder)` of `token`, as a BigInt. */
export async function tokenBalanceOf(url, token, holder) {
  const data = `0x70a08231${holder.slice(2).toLowerCase().padStart(64, '0')}`;
  return BigInt(await rpc(url, 'eth_call', [{ to: token, data }, 'latest']));
}

/** A fresh, never-used address (an EOA nobody holds a key for) to send things to. */
export function randomAddress() {
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return `0x${Buffer.from(bytes).toString('hex')}`;
}
