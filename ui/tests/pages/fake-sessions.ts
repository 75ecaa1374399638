// The part-2 commands of the stand-in for src-tauri (src-tauri/src/commands): permissions_check
// with the core permission rules, selector_of, token_info, grant_start with the approval
// window's answer, sessions, usage, test call, revoke, forget, export, activity, and the
// approval window's three commands. In-page state, deterministic answers; tests reach error
// paths through `failures` and through the rules themselves.

import { emit } from '@tauri-apps/api/event';
import type { AppError } from '../../src/lib/bindings/AppError';
import type { ActivityLog } from '../../src/lib/bindings/ActivityLog';
import type { AccountType } from '../../src/lib/bindings/AccountType';
import type { ApprovalView } from '../../src/lib/bindings/ApprovalView';
import type { ExportPreview } from '../../src/lib/bindings/ExportPreview';
import type { FieldError } from '../../src/lib/bindings/FieldError';
import type { GrantRequest } from '../../src/lib/bindings/GrantRequest';
import type { PermissionView } from '../../src/lib/bindings/PermissionView';
import type { QuarantinedView } from '../../src/lib/bindings/QuarantinedView';
import type { RequestDelivery } from '../../src/lib/bindings/RequestDelivery';
import type { RequestGrant } from '../../src/lib/bindings/RequestGrant';
import type { RequestView } from '../../src/lib/bindings/RequestView';
import type { PermissionWire } from '../../src/lib/bindings/PermissionWire';
import type { Progress } from '../../src/lib/bindings/Progress';
import type { RiskFlag } from '../../src/lib/bindings/RiskFlag';
import type { SecretChoice } from '../../src/lib/bindings/SecretChoice';
import type { ExportDestination } from '../../src/lib/bindings/ExportDestination';
import type { SessionView } from '../../src/lib/bindings/SessionView';
import type { UsageLine } from '../../src/lib/bindings/UsageLine';
import { keccakHex } from '../../src/lib/address';
import type { Currency } from '../../src/lib/bindings/Currency';
import { formatUnits, shortenAddress } from '../../src/lib/format';

const ETHER: Currency = { name: 'Ether', symbol: 'ETH', decimals: 18 };

export type SessionsScenario = {
  sessions?: SessionView[];
  /** Records set aside because they did not load. */
  quarantined?: QuarantinedView[];
  usage?: Record<string, UsageLine[]>;
  /** Token metadata by lower-case address; any other address answers with nulls. */
  tokens?: Record<string, { symbol: string | null; decimals: number | null }>;
  /** What the approval window answers after grant_start, and after how many ms. */
  grantOutcome?: 'approved' | 'rejected' | 'expired' | null;
  grantOutcomeDelay?: number;
  /** The pending approval the approval window reads. */
  approval?: ApprovalView | null;
  activity?: ActivityLog;
  /** Make the export preview too large for a QR code. */
  previewTooLarge?: boolean;
  postStatus?: number;
  postReply?: string;
  callStatus?: { status: number; statusText: string };
  revokeStatus?: { status: number; statusText: string };
  stepDelay?: number;
  /** The permission request request_open answers with (any non-empty text opens it; text
   * containing "expired" is refused as an expired request). */
  request?: RequestView;
  /** How the approval of a request's grant ends, and whether its answer is delivered. */
  requestOutcome?: 'approved' | 'rejected';
  /** The loopback intake's default port is taken. */
  intakePortBusy?: boolean;
  /** What request_take_incoming answers once: a handed-over request's text, or a failure. */
  incoming?: string | { code: AppError['code']; message: string };
  requestDelivered?: boolean;
  /** Hold progress at this step until the test calls `globalThis.__wardenReleaseStep()`, so a
   * test can look at an intermediate step however slow the machine is. */
  holdAt?: Progress['step'];
};

const fail = (code: AppError['code'], message: string): never => {
  throw { code, message } satisfies AppError;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const PRIVILEGED: Record<string, string> = {
  '0xb61d27f6': 'execute',
  '0x34fcd5be': 'executeBatch',
  '0x5998db5c': 'performCreate',
  '0xf2680c0f': 'executeWithRuntimeValidation',
  '0x1bbf564c': 'installValidation',
  '0xb6b1ccfe': 'uninstallValidation',
  '0x1d37e7d6': 'installExecution',
  '0x0b7cad71': 'uninstallExecution',
  '0x4f1ef286': 'upgradeToAndCall',
};
const MAX_EXPIRY = 9_999_999_999;

type Tokens = NonNullable<SessionsScenario['tokens']>;

/** permissions_check: the core rules (crates/core permissions::validate), as field errors. */
export function checkPermissions(
  permissions: PermissionWire[],
  expirySec: number | null,
  account: string,
  tokens: Tokens,
  currency: Currency = ETHER,
): { ok: boolean; errors: FieldError[]; views: PermissionView[]; risks: RiskFlag[] } {
  const errors: FieldError[] = [];
  const at = (index: number | null, field: string, message: string) => errors.push({ index, field, message });
  const now = Math.floor(Date.now() / 1000);
  if (expirySec !== null && expirySec > MAX_EXPIRY) at(null, 'expirySec', `expirySec: ${expirySec} exceeds the wire limit ${MAX_EXPIRY}`);
  else if (expirySec !== null && expirySec !== 0 && expirySec <= now)
    at(null, 'expirySec', `expirySec: ${expirySec} is not after the current time ${now}; choose a future expiry`);
  if (permissions.length === 0) at(null, 'permissions', 'at least one permission is required');
  const rootAt = permissions.findIndex((p) => p.type === 'root');
  if (rootAt >= 0 && permissions.length > 1)
    at(rootAt, 'type', `root must be the only permission, but ${permissions.length} permissions were given`);
  const firstOf = new Map<string, number>();
  const targets = new Map<string, { index: number; kind: string }>();
  permissions.forEach((p, index) => {
    if (p.type === 'root') return;
    if (p.type === 'native-token-transfer' || p.type === 'gas-limit') {
      const first = firstOf.get(p.type);
      if (first !== undefined) at(index, 'type', `only one ${p.type} permission is allowed (first at permissions[${first}])`);
      else firstOf.set(p.type, index);
    }
    if ('data' in p && 'address' in p.data) {
      const address = p.data.address.toLowerCase();
      if (/^0x0{40}$/.test(address)) at(index, 'address', 'the zero address is not a valid target');
      else if (address === account.toLowerCase())
        at(index, 'address', `${p.data.address} is the account itself; grant account-functions instead`);
      else if (targets.has(address)) {
        const first = targets.get(address)!;
        at(index, 'address', `${p.data.address} is already a target of permissions[${first.index}] (${first.kind}); one address may appear in only one permission`);
      } else targets.set(address, { index, kind: p.type });
    }
    if ('data' in p && 'functions' in p.data) {
      const seen = new Set<string>();
      if (p.data.functions.length === 0) at(index, 'functions', 'the list is empty; give at least one function selector');
      p.data.functions.forEach((f, position) => {
        const selector = f.toLowerCase();
        if (!/^0x[0-9a-f]{8}$/.test(selector)) at(index, `functions[${position}]`, `${f} is not a 4-byte function selector`);
        else if (seen.has(selector)) at(index, `functions[${position}]`, `${selector} appears twice in the list`);
        else if (p.type !== 'functions-on-contract' && PRIVILEGED[selector])
          at(index, `functions[${position}]`, `${selector} (${PRIVILEGED[selector]}) is a privileged account function and can never be granted to a session`);
        seen.add(selector);
      });
    }
  });
  if (rootAt < 0 && permissions.length > 0 && permissions.every((p) => p.type === 'native-token-transfer' || p.type === 'gas-limit'))
    at(null, 'permissions', 'this set grants no callable function (native-token-transfer and gas-limit only limit spending); add a contract, functions or root');
  const ok = errors.length === 0;
  const views = ok ? permissions.map((p, index) => viewOf(p, index, tokens, currency)) : [];
  const risks: RiskFlag[] = [];
  if (ok && expirySec === null) risks.push({ severity: 'warning', message: 'The session never expires: it works until you revoke it.', permissionIndex: null });
  if (ok && !permissions.some((p) => p.type === 'gas-limit' || p.type === 'root'))
    risks.push({ severity: 'info', message: 'No network fee limit: fees are paid from the account without a cap.', permissionIndex: null });
  return { ok, errors, views, risks };
}

export function viewOf(p: PermissionWire, index: number, tokens: Tokens, currency: Currency = ETHER): PermissionView {
  const native = (wei: string) => formatUnits(BigInt(wei).toString(), currency.symbol, currency.decimals, currency.decimals);
  const risks: RiskFlag[] = [];
  const fn = (list: string[]) => list.join(', ');
  switch (p.type) {
    case 'root':
      risks.push({ severity: 'danger', message: 'Full control: the session can do anything the owner key can, including moving every asset.', permissionIndex: index });
      return { index, kind: p.type, title: 'Full control of the account', detail: 'Any call, any amount, no limit.', risks };
    case 'native-token-transfer':
      return { index, kind: p.type, title: `Send ${currency.symbol}`, detail: `up to ${native(p.data.allowance)} in total`, risks };
    case 'gas-limit':
      return { index, kind: p.type, title: 'Pay network fees', detail: `up to ${native(p.data.limit)} in total`, risks };
    case 'erc20-token-transfer': {
      const token = tokens[p.data.address.toLowerCase()];
      const raw = BigInt(p.data.allowance).toString();
      const amount = token?.decimals != null ? formatUnits(raw, token.symbol ?? 'tokens', token.decimals, token.decimals) : `${raw} raw units`;
      return { index, kind: p.type, title: `Spend ${token?.symbol ?? 'a token'}`, detail: `up to ${amount} of ${shortenAddress(p.data.address)} in total`, risks };
    }
    case 'contract-access':
      return { index, kind: p.type, title: 'Call one contract', detail: `any function of ${p.data.address}`, risks };
    case 'functions-on-contract':
      return { index, kind: p.type, title: 'Call chosen functions of one contract', detail: `${fn(p.data.functions)} on ${p.data.address}`, risks };
    case 'functions-on-all-contracts':
      risks.push({ severity: 'warning', message: 'These functions may be called on any contract, including tokens you hold.', permissionIndex: index });
      return { index, kind: p.type, title: 'Call chosen functions on any contract', detail: fn(p.data.functions), risks };
    case 'account-functions':
      return { index, kind: p.type, title: 'Call functions of the account', detail: fn(p.data.functions), risks };
  }
}

const TYPE = /^(address|bool|string|bytes([1-9]|[12]\d|3[0-2])?|u?int(8|16|24|32|40|48|56|64|72|80|88|96|104|112|120|128|136|144|152|160|168|176|184|192|200|208|216|224|232|240|248|256)?)(\[\d*\])*$/;

/** selector_of: canonical signature (types only, uint → uint256) and its keccak selector. */
export function selectorOf(signature: string): { signature: string; selector: string } {
  const match = /^\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*\((.*)\)\s*$/.exec(signature);
  if (!match) return fail('invalid_input', `not a function signature: ${signature}`);
  const params = match[2]!.trim() ? match[2]!.split(',').map((p) => p.trim().split(/\s+/)[0]!) : [];
  const types = params.map((t) => {
    const canonical = t.replace(/^uint(?=$|\[)/, 'uint256').replace(/^int(?=$|\[)/, 'int256');
    if (!TYPE.test(canonical)) fail('invalid_input', `unknown parameter type "${t}"`);
    return canonical;
  });
  const canonical = `${match[1]}(${types.join(',')})`;
  return { signature: canonical, selector: keccakHex(canonical).slice(0, 10) };
}

export type Fake = {
  handlers: Record<string, (args: Record<string, unknown>) => unknown>;
  finishApproval: (outcome: 'approved' | 'rejected' | 'expired') => Promise<void>;
};

/** The part-2 handlers over `scenario`; `account(type)` is the owner's account of that type
 * (the smart account when not given); `delegated()` whether its 7702 account is delegated. */
export function sessionHandlers(
  scenario: SessionsScenario,
  account: (type?: AccountType) => string,
  chainId: () => number,
  delegated: () => boolean,
  currency: () => Currency = () => ETHER,
): Fake {
  let sessions: SessionView[] = (scenario.sessions ?? []).map((s) => ({ ...s }));
  const tokens: Tokens = scenario.tokens ?? {};
  const approval: ApprovalView | null = scenario.approval ? { ...scenario.approval } : null;
  let approvalUsed = false;
  let lastGrant: { id: string; request: GrantRequest } | null = null;
  let grants = 0;
  const steps = async (op: string, final: { status: number; statusText: string }) => {
    const path: [Progress['step'], string][] = [
      ['preparing', 'Preparing the call'],
      ['verifying', 'Checking what the network prepared'],
      ['signing', op === 'revoke' ? 'Signing with your owner key' : 'Signing with the session key'],
      ['sending', 'Sending the call'],
      ['waiting', 'Waiting for the call to be included'],
    ];
    for (const [step, message] of path) {
      await emit('progress', { op, step, message } satisfies Progress);
      if (scenario.holdAt === step) {
        await new Promise<void>((release) => {
          (globalThis as { __wardenReleaseStep?: () => void }).__wardenReleaseStep = release;
        });
      }
      await sleep(scenario.stepDelay ?? 120);
    }
    const ok = final.status >= 200 && final.status < 300;
    await emit('progress', { op, step: ok ? 'done' : 'failed', message: final.statusText } satisfies Progress);
    return { callId: `0xca11${op === 'revoke' ? 'ee' : '00'}`, status: final.status, statusText: final.statusText, txHash: `0x${'cd'.repeat(32)}` };
  };
  let intake: { port: number; code: string } | null = null;
  const intakeStatus = () => ({
    listening: intake !== null,
    url: intake ? `http://127.0.0.1:${intake.port}/v1/requests` : null,
    pairingCode: intake?.code ?? null,
    defaultPort: 47651,
  });
  const delivery = (requestId: string, decision: string): RequestDelivery => {
    const delivered = scenario.requestDelivered ?? true;
    const host = scenario.request?.answerHost ?? '';
    return {
      requestId,
      decision,
      answerHost: host,
      delivered,
      httpStatus: delivered ? 200 : null,
      detail: delivered ? `${host} accepted the answer` : `${host} could not be reached: connection refused`,
    };
  };
  const find = (id: unknown) => sessions.find((s) => s.id === id) ?? fail('session_unknown', `no session with id ${String(id)}`);

  async function finishApproval(outcome: 'approved' | 'rejected' | 'expired') {
    if (!lastGrant) return;
    if (outcome === 'approved') {
      const { request } = lastGrant;
      const check = checkPermissions(request.permissions, request.expirySec, account(request.accountType), tokens, currency());
      sessions = [
        ...sessions,
        {
          id: `s-${lastGrant.id}`,
          label: request.label,
          account: account(request.accountType),
          chainId: chainId(),
          currency: currency(),
          sessionId: `0x${'5e'.repeat(16)}`,
          sessionKey: request.key.kind === 'external' ? request.key.address : '0x1C0fFee000000000000000000000000000000001',
          keyHeldByWarden: request.key.kind === 'generate',
          expirySec: request.expirySec,
          createdAt: Math.floor(Date.now() / 1000),
          status: 'waiting',
          permissions: check.views,
        },
      ];
      await emit('sessions-changed', null);
    }
    await emit('approval-finished', { approvalId: lastGrant.id, outcome });
  }

  const handlers: Fake['handlers'] = {
    permissions_check: ({ permissions, expirySec }) =>
      checkPermissions(permissions as PermissionWire[], expirySec as number | null, account(), tokens, currency()),
    token_info: ({ address }) => {
      const token = tokens[String(address).toLowerCase()];
      return { address: String(address), symbol: token?.symbol ?? null, decimals: token?.decimals ?? null };
    },
    selector_of: ({ signature }) => selectorOf(String(signature)),
    grant_start: async ({ request }) => {
      const grant = request as GrantRequest;
      if (grant.accountType === '7702' && !delegated())
        fail('not_delegated', `the EIP-7702 account ${account('7702')} is not delegated to Modular Account v2 yet`);
      const check = checkPermissions(grant.permissions, grant.expirySec, account(grant.accountType), tokens, currency());
      if (!check.ok) fail('invalid_permissions', check.errors[0]!.message);
      grants += 1;
      lastGrant = { id: `approval-${grants}-7f3a9c`, request: grant };
      await emit('progress', { op: 'grant', step: 'preparing', message: 'Asking the network to prepare the grant' } satisfies Progress);
      await sleep(scenario.stepDelay ?? 120);
      await emit('progress', { op: 'grant', step: 'verifying', message: 'Checking the prepared grant against your request' } satisfies Progress);
      if (scenario.grantOutcome) {
        const outcome = scenario.grantOutcome;
        setTimeout(() => void finishApproval(outcome), scenario.grantOutcomeDelay ?? 300);
      }
      return lastGrant.id;
    },
    request_open: ({ text }) => {
      const t = String(text ?? '').trim();
      if (!scenario.request || !t) fail('invalid_input', 'the request is not a warden.request.v1 document: EOF while parsing');
      if (t.includes('expired')) fail('verification_failed', 'request 6f1c… expired at 1800000000 (now 1800000900); ask the server for a new one');
      return scenario.request;
    },
    request_open_file: () => fail('not_confirmed', 'no file was chosen'),
    intake_status: () => intakeStatus(),
    intake_start: ({ port }) => {
      const p = (port as number | null) ?? 47651;
      if (p === 47651 && scenario.intakePortBusy) fail('invalid_input', 'the intake cannot listen on 127.0.0.1:47651: Address in use; choose another port');
      intake = { port: p, code: 'KQ7M-2XWD-9RTB-H4NP' };
      return intakeStatus();
    },
    intake_stop: () => {
      intake = null;
      return intakeStatus();
    },
    request_take_incoming: () => {
      const taken = scenario.incoming ?? null;
      scenario.incoming = undefined;
      if (taken !== null && typeof taken !== 'string') fail(taken.code, taken.message);
      return taken;
    },
    request_grant: async ({ grant }) => {
      const g = grant as RequestGrant;
      if (!scenario.request || g.requestId !== scenario.request.requestId) fail('invalid_input', 'request is not open here');
      grants += 1;
      const id = `approval-${grants}-7f3a9c`;
      await emit('progress', { op: 'grant', step: 'preparing', message: 'Asking the network to prepare the grant' } satisfies Progress);
      setTimeout(() => {
        void (async () => {
          const outcome = scenario.requestOutcome ?? 'approved';
          await emit('approval-finished', { approvalId: id, outcome });
          if (outcome !== 'approved') return;
          await sleep(200);
          await emit('request-answered', delivery(g.requestId, 'approved'));
        })();
      }, 300);
      return id;
    },
    request_decline: ({ requestId }) => delivery(String(requestId), 'declined'),
    request_answer_copy: () => null,
    request_answer_save: () => '/home/you/price-feed.warden-answer.json',
    request_deliver: ({ requestId }) => {
      scenario.requestDelivered = true;
      return delivery(String(requestId), 'approved');
    },
    sessions_list: () => sessions.map((s) => ({ ...s })),
    sessions_quarantined: () => scenario.quarantined ?? [],
    sessions_start_new_list: () => {
      sessions = [];
      return [];
    },
    session_usage: ({ id }) => {
      find(id);
      return scenario.usage?.[String(id)] ?? [];
    },
    session_test_call: async ({ id, to, value, data }) => {
      const s = find(id);
      if (!s.keyHeldByWarden) fail('invalid_input', 'the server holds this session key');
      if (typeof to !== 'string' || typeof value !== 'string' || !/^\d+$/.test(value) || typeof data !== 'string')
        fail('invalid_input', 'bad call');
      const result = await steps('test_call', scenario.callStatus ?? { status: 200, statusText: 'confirmed' });
      if (result.status === 200 && s.status === 'waiting') {
        sessions = sessions.map((x) => (x.id === s.id ? { ...x, status: 'active' } : x));
        await emit('sessions-changed', null);
      }
      return result;
    },
    session_revoke: async ({ id }) => {
      find(id);
      const result = await steps('revoke', scenario.revokeStatus ?? { status: 200, statusText: 'confirmed' });
      if (result.status === 200) {
        sessions = sessions.map((x) => (x.id === id ? { ...x, status: 'revoked' } : x));
        await emit('sessions-changed', null);
      }
      return result;
    },
    // Rust asks in a native dialog first; a cancel there is a `not_confirmed` in `failures`.
    session_forget: ({ id }) => {
      find(id);
      sessions = sessions.filter((s) => s.id !== id);
      return sessions.map((s) => ({ ...s }));
    },
    session_export_preview: ({ id }): ExportPreview => {
      const s = find(id);
      const doc = {
        version: 'warden.session.v1',
        chainId: s.chainId,
        account: s.account,
        sessionId: s.sessionId,
        sessionKey: { address: s.sessionKey },
        expirySec: s.expirySec,
        ...(scenario.previewTooLarge ? { padding: 'x'.repeat(4000) } : {}),
      };
      const document = JSON.stringify(doc, null, 2);
      return { document };
    },
    session_export: ({ id, secret, destination }) => {
      const s = find(id);
      const choice = secret as SecretChoice;
      const dest = destination as ExportDestination;
      if (choice.kind !== 'none' && !s.keyHeldByWarden) fail('invalid_input', 'the server holds this key: only kind none is possible');
      if (choice.kind === 'plaintext' && !choice.confirmed) fail('not_confirmed', 'plaintext export needs confirmed: true');
      if (choice.kind === 'keystore' && choice.passphrase.length < 12) fail('invalid_input', 'passphrase too short');
      if (choice.kind === 'age' && !choice.recipient.startsWith('age1')) fail('invalid_input', 'not an age recipient');
      if (dest.kind === 'file') return { destination: 'file', path: `/home/you/${s.label.replace(/\W+/g, '-').toLowerCase()}.session.json`, httpStatus: null, serverReply: null, clipboardClearsAfterSecs: null };
      if (dest.kind === 'clipboard')
        return { destination: 'clipboard', path: null, httpStatus: null, serverReply: null, clipboardClearsAfterSecs: choice.kind === 'none' ? null : 30 };
      const url = new URL(dest.url);
      if (url.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
        fail('invalid_input', 'plain http only to loopback');
      return { destination: dest.url, path: null, httpStatus: scenario.postStatus ?? 201, serverReply: scenario.postReply ?? '{"stored":true}', clipboardClearsAfterSecs: null };
    },
    activity_list: ({ kind, sessionId }) => {
      const log = scenario.activity ?? { entries: [], intact: true, brokenAt: null, problem: null, keychainCheck: 'not_anchored', keychainNote: '' };
      return { ...log, entries: log.entries.filter((e) => (!kind || e.kind === kind) && (!sessionId || e.sessionId === sessionId)) };
    },
    approval_pending: () => (approvalUsed ? null : approval),
    approval_approve: ({ approvalId }) => {
      if (!approval || approval.approvalId !== approvalId) fail('approval_unknown', `no approval ${String(approvalId)}`);
      const a = approval!;
      if (approvalUsed) fail('approval_used', 'this approval was already answered');
      if (Math.floor(Date.now() / 1000) >= a.validUntil) fail('approval_expired', 'the approval timed out');
      if (!a.verified) fail('not_verified', 'the prepared grant does not match the request');
      approvalUsed = true;
      return {
        id: 's-new',
        label: 'Trading bot',
        account: a.account,
        chainId: a.chainId,
        currency: a.currency,
        sessionId: `0x${'5e'.repeat(16)}`,
        sessionKey: a.sessionKey,
        keyHeldByWarden: a.keyHeldByWarden,
        expirySec: a.expirySec,
        createdAt: Math.floor(Date.now() / 1000),
        status: 'waiting',
        permissions: a.permissions,
      } satisfies SessionView;
    },
    approval_reject: ({ approvalId }) => {
      if (!approval || approval.approvalId !== approvalId) fail('approval_unknown', `no approval ${String(approvalId)}`);
      if (approvalUsed) fail('approval_used', 'this approval was already answered');
      approvalUsed = true;
      return null;
    },
  };
  return { handlers, finishApproval };
}
