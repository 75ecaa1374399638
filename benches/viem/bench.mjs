// Times the operations of crates/core/benches/protocol.rs with viem (pinned in
// package.json), on the same fixture inputs, so scripts/bench.sh can report Warden/viem
// ratios from one run. Operation names are the criterion bench names.
//
// Every operation's output is checked against the fixtures before it is timed. Where viem
// has no counterpart the closest equivalent is timed and the row's `note` says what
// differs (viem has no permission validation and no grant verifier).
//
//   node bench.mjs [--json FILE] [--measure-ms N] [--warmup-ms N]

import { readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  concat,
  decodeAbiParameters,
  decodeFunctionData,
  encodeAbiParameters,
  encodeFunctionData,
  hashTypedData,
  numberToHex,
  recoverMessageAddress,
  sliceHex,
} from 'viem'
import { getUserOperationHash } from 'viem/account-abstraction'
import { privateKeyToAccount } from 'viem/accounts'

const here = dirname(fileURLToPath(import.meta.url))
const fixtures = join(here, '../../fixtures/spec')
const readJson = (rel) => JSON.parse(readFileSync(join(fixtures, rel), 'utf8'))

function arg(name, fallback) {
  const i = process.argv.indexOf(name)
  return i >= 0 ? process.argv[i + 1] : fallback
}
const jsonOut = arg('--json')
const measureMs = Number(arg('--measure-ms', 3000))
const warmupMs = Number(arg('--warmup-ms', 1000))

function check(cond, what) {
  if (!cond) throw new Error(`bench.mjs: ${what} does not match the fixture`)
}
const sameHex = (a, b) => a.toLowerCase() === b.toLowerCase()

// ---- The MAv2 session install call (docs/protocol.md §6.2), for the scoped example's permissions.

const SINGLE_SIGNER_VALIDATION_MODULE = '0x00000000000099DE0BF6fA90dEB851E2A2df7d83'
const TIME_RANGE_MODULE = '0x00000000000082B8e2012be914dFA4f62A0573eA'
const NATIVE_TOKEN_LIMIT_MODULE = '0x00000000000001e541f0D090868FBe24b59Fbe06'
const ALLOWLIST_MODULE = '0x00000000003e826473A313E600b5b9B791f5a59a'
const HOOK_ENTITY_OFFSET = 0x7fffffff
const VALIDATION_FLAG_USER_OP = 0x01
const VALIDATION_FLAG_GLOBAL = 0x04
const HOOK_FLAG_VALIDATION = 0x01
const HOOK_FLAG_PRE = 0x04
const SELECTOR_EXECUTE = '0xb61d27f6'
const SELECTOR_EXECUTE_BATCH = '0x34fcd5be'
const ERC20_SELECTORS = ['0x095ea7b3', '0xa9059cbb'] // approve, transfer

const installValidationAbi = [
  {
    type: 'function',
    name: 'installValidation',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'validationConfig', type: 'bytes25' },
      { name: 'selectors', type: 'bytes4[]' },
      { name: 'installData', type: 'bytes' },
      { name: 'hooks', type: 'bytes[]' },
    ],
    outputs: [],
  },
]
const signerInstallParams = [
  { name: 'entityId', type: 'uint32' },
  { name: 'signer', type: 'address' },
]
const timeRangeParams = [
  { name: 'entityId', type: 'uint32' },
  { name: 'validUntil', type: 'uint48' },
  { name: 'validAfter', type: 'uint48' },
]
const spendLimitParams = [
  { name: 'entityId', type: 'uint32' },
  { name: 'limit', type: 'uint256' },
]
const allowlistParams = [
  { name: 'entityId', type: 'uint32' },
  {
    name: 'inputs',
    type: 'tuple[]',
    components: [
      { name: 'target', type: 'address' },
      { name: 'hasSelectorAllowlist', type: 'bool' },
      { name: 'hasERC20SpendLimit', type: 'bool' },
      { name: 'erc20SpendLimit', type: 'uint256' },
      { name: 'selectors', type: 'bytes4[]' },
    ],
  },
]

const config25 = (module, entity, flags) =>
  concat([module, numberToHex(entity, { size: 4 }), numberToHex(flags, { size: 1 })])

const ALLOWLISTED = new Set(['erc20-token-transfer', 'contract-access', 'functions-on-all-contracts', 'functions-on-contract'])

function allowlistEntry(p) {
  const entry = (target, hasSelectorAllowlist, selectors) => ({
    target,
    hasSelectorAllowlist,
    hasERC20SpendLimit: false,
    erc20SpendLimit: 0n,
    selectors,
  })
  switch (p.type) {
    case 'erc20-token-transfer':
      return entry(p.data.address, true, ERC20_SELECTORS)
    case 'contract-access':
      return entry(p.data.address, false, [])
    case 'functions-on-all-contracts':
      return entry('0x0000000000000000000000000000000000000000', false, p.data.functions)
    case 'functions-on-contract':
      return entry(p.data.address, true, p.data.functions)
    default:
      return undefined
  }
}

/** The `installValidation` call for a session, hooks in their fixed order. */
function encodeInstallCall(entityId, sessionKey, expirySec, permissions) {
  const root = permissions.length === 1 && permissions[0].type === 'root'
  const hookEntity = (entityId + HOOK_ENTITY_OFFSET) >>> 0
  const flags = VALIDATION_FLAG_USER_OP | (root ? VALIDATION_FLAG_GLOBAL : 0)
  const selectors = permissions.filter((p) => p.type === 'account-functions').flatMap((p) => p.data.functions)
  if (permissions.some((p) => ALLOWLISTED.has(p.type)))
    for (const s of [SELECTOR_EXECUTE, SELECTOR_EXECUTE_BATCH]) if (!selectors.includes(s)) selectors.push(s)

  const hooks = []
  const hook = (module, entity, hookFlags, params, values) =>
    hooks.push(concat([config25(module, entity, hookFlags), encodeAbiParameters(params, values)]))
  if (expirySec) hook(TIME_RANGE_MODULE, entityId, HOOK_FLAG_VALIDATION, timeRangeParams, [entityId, expirySec, 0])
  for (const p of permissions)
    if (p.type === 'native-token-transfer')
      hook(NATIVE_TOKEN_LIMIT_MODULE, entityId, HOOK_FLAG_PRE, spendLimitParams, [entityId, BigInt(p.data.allowance)])
  const spend = permissions
    .filter((p) => p.type === 'erc20-token-transfer')
    .map((p) => ({
      target: p.data.address,
      hasSelectorAllowlist: false,
      hasERC20SpendLimit: true,
      erc20SpendLimit: BigInt(p.data.allowance),
      selectors: [],
    }))
  if (spend.length) hook(ALLOWLIST_MODULE, hookEntity, HOOK_FLAG_PRE, allowlistParams, [hookEntity, spend])
  for (const p of permissions)
    if (p.type === 'gas-limit')
      hook(NATIVE_TOKEN_LIMIT_MODULE, hookEntity, HOOK_FLAG_VALIDATION | HOOK_FLAG_PRE, spendLimitParams, [
        hookEntity,
        BigInt(p.data.limit),
      ])
  const inputs = permissions.map(allowlistEntry).filter(Boolean)
  if (inputs.length)
    hook(ALLOWLIST_MODULE, entityId, HOOK_FLAG_VALIDATION | HOOK_FLAG_PRE, allowlistParams, [entityId, inputs])

  return encodeFunctionData({
    abi: installValidationAbi,
    functionName: 'installValidation',
    args: [
      config25(SINGLE_SIGNER_VALIDATION_MODULE, entityId, flags),
      selectors,
      encodeAbiParameters(signerInstallParams, [entityId, sessionKey]),
      hooks,
    ],
  })
}

/** Reads an install call back: the session key and every hook's init data. */
function decodeInstallCall(call) {
  const { args } = decodeFunctionData({ abi: installValidationAbi, data: call })
  const [validationConfig, selectors, installData, hooks] = args
  const [entityId, sessionKey] = decodeAbiParameters(signerInstallParams, installData)
  const decodedHooks = hooks.map((h) => {
    const module = sliceHex(h, 0, 20)
    const init = sliceHex(h, 25)
    const params = sameHex(module, TIME_RANGE_MODULE)
      ? timeRangeParams
      : sameHex(module, NATIVE_TOKEN_LIMIT_MODULE)
        ? spendLimitParams
        : sameHex(module, ALLOWLIST_MODULE)
          ? allowlistParams
          : undefined
    if (!params) throw new Error(`unknown hook module ${module}`)
    return { module, config: sliceHex(h, 0, 25), init: decodeAbiParameters(params, init) }
  })
  return { validationConfig, selectors, entityId, sessionKey, hooks: decodedHooks }
}

const deferredActionTypes = {
  DeferredAction: [
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint48' },
    { name: 'call', type: 'bytes' },
  ],
}

// ---- Inputs.

const scoped = readJson('examples/wallet_createSession.2-scoped-7702.json')
const permissionVectors = readJson('vectors/permissions.sample.json')
const userOps = readJson('vectors/userops.sample.json')
const signing = readJson('vectors/signing.sample.json')

const paramsJson = JSON.stringify(scoped.request.params[0])
const resultJson = JSON.stringify(scoped.response.result)
const params = scoped.request.params[0]
const wireTypedData = scoped.response.result.signatureRequest.data
const rawPayload = scoped.response.result.signatureRequest.rawPayload
const entityId = scoped.derived.sessionEntityId
const grantNonce = BigInt(wireTypedData.message.nonce)
const ownerKey = permissionVectors.anvilKeys.find((k) => sameHex(k.address, params.account)).privateKey
const owner = privateKeyToAccount(ownerKey)

const userOpCase = userOps.cases.find((c) => c.id === 'sdk-session-first-use-root')
const BIGINT_FIELDS = [
  'nonce',
  'callGasLimit',
  'verificationGasLimit',
  'preVerificationGas',
  'maxFeePerGas',
  'maxPriorityFeePerGas',
  'paymasterVerificationGasLimit',
  'paymasterPostOpGasLimit',
]
const userOperation = Object.fromEntries(
  Object.entries(userOpCase.userOperation).map(([k, v]) => [k, BIGINT_FIELDS.includes(k) ? BigInt(v) : v]),
)
const sessionKey = privateKeyToAccount(userOps.signerKey.privateKey)

const mailCase = signing.typedData.find((c) => c.id === 'eip712-mail')
const mailRequestJson = JSON.stringify({ type: 'eth_signTypedData_v4', data: mailCase.typedData })
const mailSigner = privateKeyToAccount(signing.signerKey.privateKey)

// ---- The timed operations.

function grantEncodeDigest() {
  const call = encodeInstallCall(entityId, params.key.publicKey, params.expirySec, params.permissions)
  return hashTypedData({
    domain: { chainId: Number(params.chainId), verifyingContract: params.account },
    types: deferredActionTypes,
    primaryType: 'DeferredAction',
    message: { nonce: grantNonce, deadline: params.expirySec, call },
  })
}

function verifyGrant() {
  const request = JSON.parse(paramsJson)
  const result = JSON.parse(resultJson)
  const data = result.signatureRequest.data
  const message = { ...data.message, nonce: BigInt(data.message.nonce) }
  const grant = decodeInstallCall(message.call)
  if (!sameHex(grant.sessionKey, request.key.publicKey)) throw new Error('session key differs')
  if (Number(grant.hooks[0].init[1]) !== request.expirySec) throw new Error('expiry differs')
  if (data.domain.chainId !== Number(request.chainId) || !sameHex(data.domain.verifyingContract, request.account))
    throw new Error('domain differs')
  const digest = hashTypedData({ ...data, message })
  if (digest !== result.signatureRequest.rawPayload) throw new Error('rawPayload differs')
  return digest
}

async function verifyGrantAndOwnerSign() {
  return owner.sign({ hash: verifyGrant() })
}

function userOpHashV07() {
  return getUserOperationHash({
    chainId: userOpCase.chainId,
    entryPointAddress: userOpCase.entryPoint,
    entryPointVersion: '0.7',
    userOperation,
  })
}

async function sessionSignRecover(hash) {
  const signature = await sessionKey.signMessage({ message: { raw: hash } })
  const signer = await recoverMessageAddress({ message: { raw: hash }, signature })
  if (signer !== sessionKey.address) throw new Error('recovered another address')
  return signature
}

async function typedDataSignMail() {
  const request = JSON.parse(mailRequestJson)
  return mailSigner.signTypedData(request.data)
}

// ---- Check every output once, then time.

check(sameHex(grantEncodeDigest(), rawPayload), 'grant_encode_digest digest')
check(
  sameHex(encodeInstallCall(entityId, params.key.publicKey, params.expirySec, params.permissions), wireTypedData.message.call),
  'install call',
)
check(sameHex(verifyGrant(), rawPayload), 'verify_grant digest')
check(sameHex(await verifyGrantAndOwnerSign(), scoped.derived.ownerSignature), 'owner signature')
check(sameHex(userOpHashV07(), userOpCase.expected.userOpHash), 'userOpHash')
check(sameHex(await sessionSignRecover(userOpCase.expected.userOpHash), userOpCase.expected.signature), 'session signature')
check(sameHex(await typedDataSignMail(), mailCase.expected.signature), 'Mail signature')

const operations = [
  {
    name: 'grant_encode_digest',
    run: grantEncodeDigest,
    sync: true,
    note: 'encodeAbiParameters/encodeFunctionData + hashTypedData; no permission validation',
  },
  {
    name: 'verify_grant',
    run: verifyGrant,
    sync: true,
    note: 'approximate: JSON.parse + decodeFunctionData/decodeAbiParameters + hashTypedData, few field checks',
  },
  { name: 'verify_grant_and_owner_sign', run: verifyGrantAndOwnerSign, note: 'the above + account.sign({hash})' },
  { name: 'userop_hash_v07', run: userOpHashV07, sync: true, note: "getUserOperationHash, entryPointVersion '0.7'" },
  {
    name: 'session_sign_recover',
    run: () => sessionSignRecover(userOpCase.expected.userOpHash),
    note: 'signMessage({message:{raw}}) + recoverMessageAddress',
  },
  { name: 'typed_data_sign_mail', run: typedDataSignMail, note: 'JSON.parse + account.signTypedData' },
]

/** Runs an operation in batches for `ms`; returns iterations, elapsed time and per-op times. */
async function measure({ run, sync }, ms, batch) {
  const perOp = []
  let iterations = 0
  let elapsed = 0n
  const budget = BigInt(ms) * 1_000_000n
  while (elapsed < budget) {
    const t0 = process.hrtime.bigint()
    if (sync) for (let i = 0; i < batch; i++) run()
    else for (let i = 0; i < batch; i++) await run()
    const dt = process.hrtime.bigint() - t0
    elapsed += dt
    iterations += batch
    perOp.push(Number(dt) / batch / 1000)
  }
  return { iterations, elapsedNs: elapsed, perOp }
}

const results = {}
for (const op of operations) {
  // Warm up (lets the JIT settle), sizing batches to about 10 ms each.
  const warm = await measure(op, warmupMs, 1)
  const batch = Math.max(1, Math.round(10_000 / (Number(warm.elapsedNs) / warm.iterations / 1000)))
  const m = await measure(op, measureMs, batch)
  const sorted = [...m.perOp].sort((a, b) => a - b)
  const usPerOp = Number(m.elapsedNs) / m.iterations / 1000
  results[op.name] = {
    us_per_op: usPerOp,
    ops_per_s: 1e6 / usPerOp,
    median_us: sorted[Math.floor(sorted.length / 2)],
    min_us: sorted[0],
    iterations: m.iterations,
    note: op.note,
  }
}

const viemVersion = JSON.parse(readFileSync(join(here, 'node_modules/viem/package.json'), 'utf8')).version
const report = { viem: viemVersion, node: process.version, measure_ms: measureMs, results }
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(report, null, 2)}\n`)

console.log(`viem ${viemVersion} on node ${process.version}`)
console.table(
  Object.fromEntries(
    Object.entries(results).map(([name, r]) => [
      name,
      { 'µs/op': r.us_per_op.toFixed(1), 'ops/s': Math.round(r.ops_per_s), 'median µs': r.median_us.toFixed(1) },
    ]),
  ),
)
