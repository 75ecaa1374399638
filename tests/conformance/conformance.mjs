// Drives a running Warden devnet through the OFFICIAL Wallets API clients and checks that
// it behaves like the hosted API: with the v5 client (@alchemy/wallet-apis, on the wallet
// URL: it makes no chain call) SMA-B and 7702 accounts, owner calls, a session with several
// permission types used through the `permissions` capability, call status until terminal,
// real balances moving on the node, refusals beyond the limits in their live shapes (the
// bundler's code, AA reason, numbers), gas policies; with the v4 client
// (@account-kit/wallet-client, Alchemy's split transport over the wallet and node URLs) an
// account, a grant, a session call and a refusal. Every wallet_* request and response must
// be valid against the official JSON Schemas, and no chain request may reach the wallet URL.
//
//   node conformance.mjs WALLET_URL NODE_URL
//
// Prints one line per check and `conformance: N passed, N failed`; exits 1 on any failure.
// Keys are random each run; devnet_fund / devnet_deployToken / devnet_mint (devnet
// extensions the official clients do not know) set the stage.
import { encodeFunctionData, erc20Abi, parseEther, getAddress, size, slice } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  Wire,
  Checks,
  rpc,
  rpcErrorOf,
  devnetChain,
  walletClient,
  walletClientV4,
  balanceOf,
  tokenBalance,
  misrouted,
} from "./lib.mjs";

const url = process.argv[2] ?? process.env.DEVNET_URL;
const node = process.argv[3] ?? process.env.DEVNET_NODE_URL;
if (!url || !node) {
  console.error("usage: node conformance.mjs WALLET_URL NODE_URL");
  process.exit(2);
}

const MAV2_7702_IMPL = "0x69007702764179f14F51cdce752f4f775d74E139";
// ERC-7769 codes: execution reverted (a limit hook), AA23 validation, AA22 time range, AA24 signature.
const EXECUTION_REVERTED = -32521;
const VALIDATION_REJECTED = -32500;
const OUT_OF_TIME_RANGE = -32503;
const SIGNATURE_FAILED = -32507;
const INVALID_PARAMS = -32602;
// The devnet's default gas policy (warden_devnet::DEFAULT_POLICY_ID).
const POLICY_ID = "0d3e7a5c-6b1f-4c2a-9e8d-7f6a5b4c3d2e";
const UNKNOWN_POLICY_ID = "6f8e2c1a-3b4d-4e5f-8a9b-0c1d2e3f4a5b";

const wire = new Wire();
wire.installGlobal();
const checks = new Checks();
const chain = await devnetChain(node);
const client = (signer, account, policyId) => walletClient({ url, chain, wire, signer, account, policyId });
const newKey = () => privateKeyToAccount(generatePrivateKey());
const transfer = (token, to, amount) => ({
  to: token,
  data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] }),
});
const approve = (token, spender, amount) => ({
  to: token,
  data: encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [spender, amount] }),
});
const wait = (c, id) => c.waitForCallsStatus({ id, pollingInterval: 50, timeout: 20_000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const chainTime = async () => Number(BigInt((await rpc(node, "eth_getBlockByNumber", ["latest", false])).timestamp));

async function run() {
  const owner = newKey();
  const sessionKey = newKey();
  const recipient = newKey().address;
  const stranger = newKey().address;

  // ---------------------------------------------------------------- SMA-B account, owner calls
  let account;
  await checks.step("requestAccount gives the owner a counterfactual SMA-B account", async () => {
    ({ address: account } = await client(owner).requestAccount());
    const raw = wire.last.get("wallet_requestAccount");
    if (getAddress(account) === owner.address) return "the account is the owner EOA";
    if (raw.counterfactualInfo?.factoryType !== "MAv2.0.0-sma-b") return `factoryType ${raw.counterfactualInfo?.factoryType}`;
    if ((await rpc(node, "eth_getCode", [account, "latest"])) !== "0x") return "already has code";
  });
  await checks.step("requestAccount from a fresh client returns the same account; listAccounts lists it", async () => {
    const again = await client(owner).requestAccount();
    if (again.address !== account) return `${again.address} != ${account}`;
    const list = await client(owner).listAccounts({});
    if (!list.accounts.some((a) => a.accountAddress === account)) return JSON.stringify(list);
  });
  const owned = client(owner, account);
  await rpc(url, "devnet_fund", [account, "0x" + parseEther("10").toString(16)]);
  const { address: token } = await rpc(url, "devnet_deployToken", ["Conformance Token", "CFT", 18]);
  const { address: token2 } = await rpc(url, "devnet_deployToken", ["Second Token", "SND", 18]);
  await rpc(url, "devnet_mint", [token, account, "0x" + parseEther("60").toString(16)]);
  await rpc(url, "devnet_mint", [token2, account, "0x" + parseEther("500").toString(16)]);

  await checks.step("owner: prepareCalls → signPreparedCalls → sendPreparedCalls deploys the account (factory) and pays", async () => {
    const before = await balanceOf(node, recipient);
    const prepared = await owned.prepareCalls({ calls: [{ to: recipient, value: parseEther("0.001") }] });
    if (prepared.type !== "user-operation-v070") return `type ${prepared.type}`;
    if (!prepared.data.factory) return "the first operation of an undeployed account has no factory";
    if (prepared.signatureRequest?.type !== "personal_sign") return `signatureRequest ${prepared.signatureRequest?.type}`;
    const signed = await owned.signPreparedCalls(prepared);
    const { id } = await owned.sendPreparedCalls(signed);
    const status = await wait(owned, id);
    if (status.status !== "success" || status.statusCode !== 200) return `status ${status.status} ${status.statusCode}`;
    if ((await balanceOf(node, recipient)) - before !== parseEther("0.001")) return "recipient balance did not move by 0.001";
    // Deployed: the next operation carries no factory. (The devnet puts no MAv2 bytecode at
    // the address, which it does not have offline: eth_getCode stays empty.)
    const next = await owned.prepareCalls({ calls: [{ to: recipient, value: 0n }] });
    if (next.data.factory) return "the operation after the first still deploys the account";
  });
  await checks.step("owner: sendCalls moves an ERC-20; getCallsStatus has receipts", async () => {
    const { id } = await owned.sendCalls({ calls: [transfer(token2, recipient, parseEther("5"))] });
    await wait(owned, id);
    const status = await owned.getCallsStatus({ id });
    if (status.statusCode !== 200 || !status.receipts?.length) return JSON.stringify(status, (_, v) => (typeof v === "bigint" ? `${v}` : v));
    if ((await tokenBalance(node, token2, recipient)) !== parseEther("5")) return "token balance did not move";
  });
  await checks.step("getCapabilities: atomic, paymaster and permissions are supported", async () => {
    const caps = await owned.getCapabilities();
    if (caps.atomic?.status !== "supported" || !caps.paymaster?.supported || !caps.permissions?.supported) return JSON.stringify(caps);
  });

  // ---------------------------------------------------------------- a session with several permission types
  const NATIVE_LIMIT = parseEther("0.01");
  const TOKEN_LIMIT = parseEther("100");
  let permissions;
  let sessionId;
  await checks.step("grantPermissions: native + ERC-20 + gas limits, contract access, functions-on-contract, expiry", async () => {
    permissions = await owned.grantPermissions({
      expirySec: (await chainTime()) + 3600,
      key: { publicKey: sessionKey.address, type: "secp256k1" },
      permissions: [
        { type: "native-token-transfer", data: { allowance: NATIVE_LIMIT } },
        { type: "erc20-token-transfer", data: { address: token, allowance: TOKEN_LIMIT } },
        { type: "gas-limit", data: { limit: parseEther("1") } },
        { type: "contract-access", data: { address: recipient } },
        { type: "functions-on-contract", data: { address: token2, functions: ["0x095ea7b3"] } },
      ],
    });
    // Remote mode: 0x00 ‖ 16-byte session id ‖ the owner's 65-byte signature.
    if (size(permissions.context) !== 1 + 16 + 65 || slice(permissions.context, 0, 1) !== "0x00") return permissions.context;
    sessionId = slice(permissions.context, 1, 17);
    const grant = wire.last.get("wallet_createSession");
    if (grant.sessionId !== sessionId) return `sessionId ${grant.sessionId} is not in the context`;
  });
  const session = client(sessionKey, account);
  const usage = async () => {
    const u = await rpc(url, "devnet_sessionUsage", [sessionId]);
    return Object.fromEntries(u.limits.map((l) => [l.type, BigInt(l.spent)]));
  };

  await checks.step("session: first use installs it; native and ERC-20 move in one batch", async () => {
    const [eth0, tok0] = [await balanceOf(node, recipient), await tokenBalance(node, token, recipient)];
    const prepared = await session.prepareCalls({
      calls: [{ to: recipient, value: parseEther("0.004") }, transfer(token, recipient, parseEther("30"))],
      capabilities: { permissions },
    });
    const signed = await session.signPreparedCalls(prepared);
    const { id } = await session.sendPreparedCalls({ ...signed, capabilities: { permissions } });
    const status = await wait(session, id);
    if (status.status !== "success") return `status ${status.statusCode}`;
    if ((await balanceOf(node, recipient)) - eth0 !== parseEther("0.004")) return "native did not move";
    if ((await tokenBalance(node, token, recipient)) - tok0 !== parseEther("30")) return "token did not move";
    const u = await rpc(url, "devnet_sessionUsage", [sessionId]);
    if (!u.installed) return "session not installed after its first use";
  });
  await checks.step("session: a later use (installed session) through sendCalls", async () => {
    const before = await balanceOf(node, recipient);
    const { id } = await session.sendCalls({
      calls: [{ to: recipient, value: parseEther("0.002") }],
      capabilities: { permissions },
    });
    if ((await wait(session, id)).status !== "success") return "not confirmed";
    if ((await balanceOf(node, recipient)) - before !== parseEther("0.002")) return "native did not move";
  });
  await checks.step("session: functions-on-contract allows the granted function (approve on the second token)", async () => {
    const { id } = await session.sendCalls({ calls: [approve(token2, stranger, 7n)], capabilities: { permissions } });
    if ((await wait(session, id)).status !== "success") return "not confirmed";
  });
  await checks.step("session usage equals what was sent", async () => {
    const u = await usage();
    if (u["native-token-transfer"] !== parseEther("0.006")) return `native spent ${u["native-token-transfer"]}`;
    if (u["erc20-token-transfer"] !== parseEther("30")) return `token spent ${u["erc20-token-transfer"]}`;
    if (!(u["gas-limit"] > 0n)) return "no gas charged";
  });

  // ---------------------------------------------------------------- refusals, and nothing changes
  const snapshot = async () => [
    await balanceOf(node, account),
    await tokenBalance(node, token, account),
    JSON.stringify(await usage(), (_, v) => (typeof v === "bigint" ? `${v}` : v)),
  ];
  const before = await snapshot();
  const sessionPrepare = (calls) => session.prepareCalls({ calls, capabilities: { permissions } });
  await checks.refused(
    "refused: native beyond the allowance names the permission and the numbers",
    () => sessionPrepare([{ to: recipient, value: parseEther("0.005") }]),
    EXECUTION_REVERTED,
    /^execution reverted: PreExecHookReverted\(NativeTokenLimitModule entity 1, ExceededNativeTokenLimit\(\)\): native-token-transfer allowance exceeded: requested 5000000000000000 wei, remaining 4000000000000000 wei/,
  );
  await checks.refused(
    "refused: ERC-20 beyond the allowance",
    () => sessionPrepare([transfer(token, recipient, parseEther("71"))]),
    EXECUTION_REVERTED,
    /ExceededTokenLimit\(\)\): erc20-token-transfer allowance of token .* exceeded: requested 71000000000000000000, remaining 70000000000000000000/,
  );
  await checks.refused(
    "refused: a target no permission covers",
    () => sessionPrepare([{ to: stranger, value: 1n }]),
    VALIDATION_REJECTED,
    /AA23 reverted: PreUserOpValidationHookReverted\(AllowlistModule entity 1, AddressNotAllowed\(\)\): .*target .* is not allowed/,
  );
  await checks.refused(
    "refused: a function functions-on-contract does not grant (transfer on the second token)",
    () => sessionPrepare([transfer(token2, stranger, 1n)]),
    VALIDATION_REJECTED,
    /AA23 reverted: .*SelectorNotAllowed\(\)\): .*function 0xa9059cbb .* is not allowed/,
  );
  await checks.refused(
    "refused: a session operation signed by another key",
    async () => {
      const prepared = await sessionPrepare([{ to: recipient, value: 1n }]);
      const signed = await owned.signPreparedCalls(prepared);
      await session.sendPreparedCalls({ ...signed, capabilities: { permissions } });
    },
    SIGNATURE_FAILED,
    /AA24 signature error: .*recovers to .* but the session key is/,
  );
  await checks.step("refusals changed no balance and no usage", async () => {
    const after = await snapshot();
    if (JSON.stringify(after, (_, v) => (typeof v === "bigint" ? `${v}` : v)) !== JSON.stringify(before, (_, v) => (typeof v === "bigint" ? `${v}` : v)))
      return `${before} -> ${after}`;
  });

  await checks.step("sending the same signed operation twice runs it once", async () => {
    const eth0 = await balanceOf(node, recipient);
    const prepared = await sessionPrepare([{ to: recipient, value: 1000n }]);
    const signed = await session.signPreparedCalls(prepared);
    const a = await session.sendPreparedCalls({ ...signed, capabilities: { permissions } });
    const b = await session.sendPreparedCalls({ ...signed, capabilities: { permissions } });
    if (a.id !== b.id) return `two ids ${a.id} ${b.id}`;
    await wait(session, a.id);
    if ((await balanceOf(node, recipient)) - eth0 !== 1000n) return "did not move exactly once";
  });
  await checks.step("a reverting batch ends in status failure, undoes every call and charges nothing", async () => {
    const [eth0, u0] = [await balanceOf(node, recipient), await usage()];
    // 40 tokens are within the remaining allowance (70) but above the account's balance (30).
    const { id } = await session.sendCalls({
      calls: [{ to: recipient, value: 1234n }, transfer(token, recipient, parseEther("40"))],
      capabilities: { permissions },
    });
    const status = await wait(session, id);
    if (status.status !== "failure" || status.statusCode !== 500) return `status ${status.status} ${status.statusCode}`;
    if ((await balanceOf(node, recipient)) !== eth0) return "the native transfer of the reverted batch stayed";
    const u1 = await usage();
    if (u1["native-token-transfer"] !== u0["native-token-transfer"] || u1["erc20-token-transfer"] !== u0["erc20-token-transfer"])
      return "a reverted batch was charged";
  });

  // ---------------------------------------------------------------- sponsorship
  await checks.step("sponsored (paymaster policy): the account pays no gas", async () => {
    const sponsored = client(owner, account, POLICY_ID);
    const prepared = await sponsored.prepareCalls({ calls: [{ to: recipient, value: 777n }] });
    if (!prepared.feePayment?.sponsored || !prepared.data.paymaster) return "not sponsored";
    const eth0 = await balanceOf(node, account);
    const { id } = await sponsored.sendPreparedCalls(await sponsored.signPreparedCalls(prepared));
    if ((await wait(sponsored, id)).status !== "success") return "not confirmed";
    if (eth0 - (await balanceOf(node, account)) !== 777n) return `account paid ${eth0 - (await balanceOf(node, account))} wei, not 777`;
  });

  await checks.refused(
    "refused: a gas policy the devnet does not know, as the Gas Manager refuses it",
    () => client(owner, account, UNKNOWN_POLICY_ID).prepareCalls({ calls: [{ to: recipient, value: 1n }] }),
    INVALID_PARAMS,
    /Invalid Policy ID/,
  );
  await checks.step("devnet_createPolicy: a created policy sponsors", async () => {
    const { policyId } = await rpc(url, "devnet_createPolicy", [{ name: "conformance" }]);
    const prepared = await client(owner, account, policyId).prepareCalls({ calls: [{ to: recipient, value: 1n }] });
    if (!prepared.feePayment?.sponsored) return "not sponsored";
  });

  // ---------------------------------------------------------------- expiry against the next block's time
  await checks.step("a session is refused once its expiry passed, even when no block was mined since", async () => {
    const start = Math.max(await chainTime(), Math.floor(Date.now() / 1000));
    const expirySec = start + 2;
    const short = await owned.grantPermissions({
      expirySec,
      key: { publicKey: sessionKey.address, type: "secp256k1" },
      permissions: [{ type: "contract-access", data: { address: recipient } }],
    });
    const { id } = await session.sendCalls({ calls: [{ to: recipient, value: 1n }], capabilities: { permissions: short } });
    if ((await wait(session, id)).status !== "success") return "the short session did not work before its expiry";
    while (Math.floor(Date.now() / 1000) <= expirySec + 1) await sleep(100);
    try {
      await session.prepareCalls({ calls: [{ to: recipient, value: 1n }], capabilities: { permissions: short } });
      return "accepted after its expiry";
    } catch (e) {
      const { code, message } = rpcErrorOf(e);
      if (code !== OUT_OF_TIME_RANGE || !message.includes(`AA22 expired or not due: session expired: expirySec ${expirySec}`))
        return `${code}: ${message}`;
    }
  });

  // ---------------------------------------------------------------- EIP-7702
  const eoa = newKey();
  const smartEoa = client(eoa);
  await rpc(url, "devnet_fund", [eoa.address, "0x" + parseEther("1").toString(16)]);
  await checks.step("7702: requestAccount with the 7702 hint is the EOA itself, delegating to MAv2", async () => {
    const { address } = await smartEoa.requestAccount({ creationHint: { accountType: "7702" } });
    if (address !== eoa.address) return `${address} != ${eoa.address}`;
    const raw = wire.last.get("wallet_requestAccount");
    if (raw.delegation?.toLowerCase() !== MAV2_7702_IMPL.toLowerCase()) return `delegation ${raw.delegation}`;
  });
  await checks.step("7702: the first owner call signs the authorization and delegates the EOA", async () => {
    const before = await balanceOf(node, recipient);
    const prepared = await smartEoa.prepareCalls({ calls: [{ to: recipient, value: 4321n }] });
    if (prepared.type !== "array" || prepared.data[0].type !== "authorization") return `type ${prepared.type}`;
    const { id } = await smartEoa.sendPreparedCalls(await smartEoa.signPreparedCalls(prepared));
    if ((await wait(smartEoa, id)).status !== "success") return "not confirmed";
    const code = await rpc(node, "eth_getCode", [eoa.address, "latest"]);
    if (code.toLowerCase() !== `0xef0100${MAV2_7702_IMPL.slice(2).toLowerCase()}`) return `code ${code}`;
    if ((await balanceOf(node, recipient)) - before !== 4321n) return "did not move";
  });
  await checks.step("7702: a session on the delegated EOA sends within its native limit", async () => {
    const perms7702 = await smartEoa.grantPermissions({
      expirySec: (await chainTime()) + 3600,
      key: { publicKey: sessionKey.address, type: "secp256k1" },
      permissions: [
        { type: "native-token-transfer", data: { allowance: 10_000n } },
        { type: "contract-access", data: { address: recipient } },
      ],
    });
    const s = client(sessionKey, eoa.address);
    const before = await balanceOf(node, recipient);
    const { id } = await s.sendCalls({ calls: [{ to: recipient, value: 9_000n }], capabilities: { permissions: perms7702 } });
    if ((await wait(s, id)).status !== "success") return "not confirmed";
    if ((await balanceOf(node, recipient)) - before !== 9_000n) return "did not move";
    try {
      await s.prepareCalls({ calls: [{ to: recipient, value: 1_001n }], capabilities: { permissions: perms7702 } });
      return "accepted beyond the limit";
    } catch {
      /* refused, as it should be */
    }
  });
  await checks.step("7702: a fresh EOA with no ETH delegates through the gas policy", async () => {
    const fresh = newKey();
    const c = client(fresh, undefined, POLICY_ID);
    const { id } = await c.sendCalls({ calls: [{ to: recipient, value: 0n }] });
    if ((await wait(c, id)).status !== "success") return "not confirmed";
    const code = await rpc(node, "eth_getCode", [fresh.address, "latest"]);
    if (code.toLowerCase() !== `0xef0100${MAV2_7702_IMPL.slice(2).toLowerCase()}`) return `code ${code}`;
    if ((await balanceOf(node, fresh.address)) !== 0n) return "the EOA paid";
  });
  await checks.step("7702: an EOA the devnet never saw can send directly (the client's default account)", async () => {
    const fresh = newKey();
    await rpc(url, "devnet_fund", [fresh.address, "0x" + parseEther("1").toString(16)]);
    const c = client(fresh);
    const before = await balanceOf(node, recipient);
    const { id } = await c.sendCalls({ calls: [{ to: recipient, value: 55n }] });
    if ((await wait(c, id)).status !== "success") return "not confirmed";
    if ((await balanceOf(node, recipient)) - before !== 55n) return "did not move";
  });
}

/** The v4 client (@account-kit/wallet-client) through Alchemy's split transport. */
async function runV4() {
  const ownerKey = generatePrivateKey();
  const sessionPk = generatePrivateKey();
  const sessionKey = privateKeyToAccount(sessionPk);
  const recipient = newKey().address;
  const anon = walletClientV4({ url, node, chain, privateKey: ownerKey });
  let account;
  await checks.step("v4: requestAccount (wallet URL) builds the account over the node URL", async () => {
    ({ address: account } = await anon.requestAccount());
    if (getAddress(account) === privateKeyToAccount(ownerKey).address) return "the account is the owner EOA";
  });
  await rpc(url, "devnet_fund", [account, "0x" + parseEther("1").toString(16)]);
  const owned = walletClientV4({ url, node, chain, privateKey: ownerKey, account });
  let permissions;
  await checks.step("v4: grantPermissions (native limit, contract access)", async () => {
    permissions = await owned.grantPermissions({
      expirySec: (await chainTime()) + 3600,
      key: { publicKey: sessionKey.address, type: "secp256k1" },
      permissions: [
        { type: "native-token-transfer", data: { allowance: "0x" + parseEther("0.001").toString(16) } },
        { type: "contract-access", data: { address: recipient } },
      ],
    });
    if (size(permissions.context) !== 1 + 16 + 65) return permissions.context;
  });
  const session = walletClientV4({ url, node, chain, privateKey: sessionPk, account });
  const ownChainReads = wire.counts.get("eth_chainId") ?? 0;
  await checks.step("v4: a session call within the limit confirms and moves the value", async () => {
    const before = await balanceOf(node, recipient);
    const { preparedCallIds } = await session.sendCalls({
      calls: [{ to: recipient, value: "0x" + (1000n).toString(16) }],
      capabilities: { permissions },
    });
    const status = await session.waitForCallsStatus({ id: preparedCallIds[0], pollingInterval: 50, timeout: 20_000 });
    if (status.status !== "success") return `status ${status.status}`;
    if ((await balanceOf(node, recipient)) - before !== 1000n) return "did not move";
  });
  await checks.refused(
    "v4: refused beyond the native limit with the live shape",
    () =>
      session.prepareCalls({
        calls: [{ to: recipient, value: "0x" + parseEther("0.001").toString(16) }],
        capabilities: { permissions },
      }),
    EXECUTION_REVERTED,
    /ExceededNativeTokenLimit\(\)\): native-token-transfer allowance exceeded: requested 1000000000000000 wei, remaining 999999999999000 wei/,
  );
}

for (const [name, fn] of [
  ["v5", run],
  ["v4", runV4],
]) {
  try {
    await fn();
  } catch (e) {
    checks.ok(`the ${name} run went to its end`, false, rpcErrorOf(e).message.slice(0, 600));
  }
}

// ---------------------------------------------------------------- the wire
const counted = await misrouted(url);
checks.ok(
  "no chain request reached the wallet URL (the devnet counts them)",
  counted.total === 0,
  JSON.stringify(counted.byMethod),
);
checks.ok(
  `every wallet_* request and response is valid against the official schemas (${wire.validated} checked)`,
  wire.problems.length === 0 && wire.validated > 0,
  wire.problems.join("\n     "),
);

console.log(`wire: ${[...wire.counts].map(([m, n]) => `${m}×${n}`).join(" ")}`);
console.log(`conformance: ${checks.passed} passed, ${checks.failed} failed`);
process.exit(checks.failed ? 1 : 0);
