// Shared by conformance.mjs and load.mjs: the official clients pointed at a devnet (v5
// `@alchemy/wallet-apis` on the wallet URL; v4 `@account-kit/wallet-client` with Alchemy's
// split transport: wallet_* to the wallet URL, everything else to the node URL), a fetch
// wrapper that checks every wallet_* exchange against the official JSON Schemas, the
// devnet's own devnet_* methods (which the official clients do not know), the devnet's
// count of chain requests that reached the wallet URL, and a small check counter.
//
// The schemas are the repo's copy (fixtures/spec/schemas, generated from
// @alchemy/wallet-api-types 0.2.0-alpha.3), so a clean clone needs nothing else.
import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createSmartWalletClient, alchemyWalletTransport } from "@alchemy/wallet-apis";
import { createSmartWalletClient as createSmartWalletClientV4 } from "@account-kit/wallet-client";
import { alchemy } from "@account-kit/infra";
import { LocalAccountSigner } from "@aa-sdk/core";
import { defineChain } from "viem";

const SCHEMA_DIR = new URL("../../fixtures/spec/schemas/", import.meta.url).pathname;

/** JSON-RPC error codes the official client retries (docs/protocol.md §1): a refusal must not use them. */
export const RETRIED_CODES = new Set([-32603, -32005, -32007, -1, 429]);

function makeAjv() {
  const Ajv = Ajv2020.default ?? Ajv2020;
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  (addFormats.default ?? addFormats)(ajv);
  for (const k of ["errorMessage", "x-strictObject", "excludeFromApiSpecGeneration"]) ajv.addKeyword(k);
  ajv.addFormat("base64url", /^[A-Za-z0-9_-]*$/);
  return ajv;
}

/**
 * Records every JSON-RPC exchange that goes through `fetch`, validates wallet_* params and
 * results against the official schemas, and notes errors with a code the client retries.
 */
export class Wire {
  constructor() {
    this.baseFetch = globalThis.fetch.bind(globalThis);
    this.ajv = makeAjv();
    this.validators = new Map();
    this.exchanges = 0;
    this.validated = 0;
    this.problems = [];
    this.counts = new Map();
    this.last = new Map();
    this.fetch = this.fetch.bind(this);
  }

  validator(method, part) {
    const key = `${method}.${part}`;
    if (!this.validators.has(key)) {
      let v = null;
      try {
        v = this.ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}${key}.json`, "utf8")));
      } catch (e) {
        if (e.code !== "ENOENT") throw e;
      }
      this.validators.set(key, v);
    }
    return this.validators.get(key);
  }

  check(method, part, value) {
    const v = this.validator(method, part);
    if (!v) {
      if (method.startsWith("wallet_")) this.problems.push(`${method}: no official schema for its ${part}`);
      return;
    }
    this.validated++;
    if (!v(value)) {
      const why = this.ajv.errorsText(v.errors).slice(0, 400);
      this.problems.push(`${method}.${part} does not validate: ${why}: ${JSON.stringify(value).slice(0, 400)}`);
    }
  }

  observe(request, response) {
    this.exchanges++;
    const { method, params } = request;
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1);
    if (method.startsWith("wallet_")) this.check(method, "params", params);
    if (response.error) {
      if (RETRIED_CODES.has(response.error.code)) {
        this.problems.push(`${method} answered code ${response.error.code}, which the client retries: ${response.error.message}`);
      }
    } else if (method.startsWith("wallet_")) {
      this.check(method, "result", response.result);
      this.last.set(method, response.result);
    }
  }

  /** Observes every request made with the global fetch too (the v4 client's transport). */
  installGlobal() {
    globalThis.fetch = this.fetch;
  }

  async fetch(url, init) {
    const host = new URL(String(url instanceof Request ? url.url : url)).hostname;
    if (host !== "127.0.0.1" && host !== "localhost") {
      this.problems.push(`a request left the machine: ${host}`);
      throw new Error(`conformance: no network but loopback (${host})`);
    }
    const res = await this.baseFetch(url, init);
    let body;
    try {
      body = init?.body ? JSON.parse(init.body) : null;
    } catch {
      body = null;
    }
    const text = await res.clone().text();
    let answer = null;
    try {
      answer = JSON.parse(text);
    } catch {
      this.problems.push(`HTTP ${res.status} answer is not JSON: ${text.slice(0, 200)}`);
    }
    if (body && answer) {
      const reqs = Array.isArray(body) ? body : [body];
      const resps = Array.isArray(answer) ? answer : [answer];
      for (const r of reqs) {
        const a = resps.find((x) => x.id === r.id);
        if (a) this.observe(r, a);
      }
    }
    return res;
  }
}

/** A plain JSON-RPC call (devnet_* methods on the wallet URL, chain reads on the node URL). */
export async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) {
    const e = new Error(`${method}: ${body.error.message} (code ${body.error.code})`);
    e.code = body.error.code;
    throw e;
  }
  return body.result;
}

/** The devnet's chain as viem wants it, read from the node URL. */
export async function devnetChain(node) {
  const id = Number(BigInt(await rpc(node, "eth_chainId")));
  return defineChain({
    id,
    name: "Warden devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [node] }, alchemy: { http: [node] } },
  });
}

/** Chain requests that reached the wallet URL (each one would fail on Alchemy). */
export async function misrouted(url) {
  return rpc(url, "devnet_misroutedRequests");
}

/** The official v5 client for `signer` on the wallet URL (`account` given for smart accounts). */
export function walletClient({ url, chain, wire, signer, account, policyId }) {
  const transport = alchemyWalletTransport({ url, apiKey: "devnet-conformance", fetchFn: wire.fetch });
  return createSmartWalletClient({
    signer,
    transport,
    chain,
    ...(account ? { account } : {}),
    ...(policyId ? { paymaster: { policyId } } : {}),
  });
}

/**
 * The official v4 client (`@account-kit/wallet-client`) for a private key, with Alchemy's
 * split transport from `@account-kit/infra`: the chain-agnostic wallet methods to `url`,
 * everything else (chain reads, the account's own) to `node`.
 */
export function walletClientV4({ url, node, chain, privateKey, account, policyId }) {
  const transport = alchemy({ rpcUrl: node, chainAgnosticUrl: url });
  return createSmartWalletClientV4({
    transport,
    chain,
    signer: LocalAccountSigner.privateKeyToAccountSigner(privateKey),
    ...(account ? { account } : {}),
    ...(policyId ? { policyId } : {}),
  });
}

export const balanceOf = async (node, address) => BigInt(await rpc(node, "eth_getBalance", [address, "latest"]));

/** ERC-20 balance through eth_call on the node URL. */
export async function tokenBalance(node, token, holder) {
  const data = "0x70a08231" + holder.slice(2).toLowerCase().padStart(64, "0");
  return BigInt(await rpc(node, "eth_call", [{ to: token, data }, "latest"]));
}

/** The JSON-RPC code and message inside an error the official client threw. */
export function rpcErrorOf(err) {
  let e = err;
  let code;
  const messages = [];
  while (e) {
    if (typeof e.code === "number" && code === undefined) code = e.code;
    if (e.details) messages.push(String(e.details));
    if (e.shortMessage) messages.push(String(e.shortMessage));
    if (e.message) messages.push(String(e.message));
    e = e.cause;
  }
  return { code, message: messages.join(" | ") };
}

/** Named pass/fail checks, printed as they happen. */
export class Checks {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  ok(name, condition, detail = "") {
    if (condition) {
      this.passed++;
      console.log(`ok   ${name}`);
    } else {
      this.failed++;
      console.log(`FAIL ${name}${detail ? `: ${detail}` : ""}`);
    }
    return condition;
  }

  /** Runs `fn`; a throw is a failed check. */
  async step(name, fn) {
    try {
      const r = await fn();
      if (r === false) return this.ok(name, false);
      if (typeof r === "string") return this.ok(name, false, r);
      return this.ok(name, true);
    } catch (e) {
      return this.ok(name, false, rpcErrorOf(e).message.slice(0, 600));
    }
  }

  /** Expects `fn` to be refused with `code` and a message matching `pattern`. */
  async refused(name, fn, code, pattern) {
    try {
      await fn();
      return this.ok(name, false, "was accepted");
    } catch (e) {
      const got = rpcErrorOf(e);
      const good = got.code === code && pattern.test(got.message);
      return this.ok(name, good, `code ${got.code}: ${got.message.slice(0, 400)}`);
    }
  }
}
