// A stand-in for src-tauri in page tests: answers every command of the IPC contract (the
// grant, session, request and activity ones in fake-sessions.ts) from an in-page state, emits `progress` like the real delegate command, and records each call so
// tests can assert what the UI sent. Bundled with esbuild and injected before the app loads.
// It is configured by `window.__WARDEN_SCENARIO__`; failures are injected per command to reach
// the error paths a real backend would need a broken keychain or network to produce.

import { mockIPC } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import type { AppError } from '../../src/lib/bindings/AppError';
import type { BackendInfo } from '../../src/lib/bindings/BackendInfo';
import type { ChainOption } from '../../src/lib/bindings/ChainOption';
import type { Currency } from '../../src/lib/bindings/Currency';
import type { KeychainState } from '../../src/lib/bindings/KeychainState';
import type { OwnerKey } from '../../src/lib/bindings/OwnerKey';
import type { Progress } from '../../src/lib/bindings/Progress';
import { sessionHandlers, type SessionsScenario } from './fake-sessions';

export type Scenario = SessionsScenario & {
  keychain?: KeychainState;
  keychainMessage?: string;
  keys?: OwnerKey[];
  backend?: BackendInfo;
  /** Per command: errors returned by its next calls, in order; later calls succeed. */
  failures?: Record<string, AppError[]>;
  /** Per command (or "command:accountType"): milliseconds to wait before answering. */
  delays?: Record<string, number>;
  delegated?: boolean;
  /** Balance in wei per address (lower case). */
  balances?: Record<string, string>;
  /** Status of the delegate call (200 = confirmed). */
  delegateStatus?: { status: number; statusText: string };
  /** Owner keys the keychain holds but the list lost (found again by `keys_repair`). */
  lostKeys?: OwnerKey[];
  /** What a reset would remove besides the owner keys. */
  resetPaths?: string[];
};

export const DEVNET: BackendInfo = {
  kind: 'devnet',
  chainId: 31337,
  chainName: 'Local devnet',
  endpointHost: '127.0.0.1:41234',
  nodeHost: '127.0.0.1:41235',
  policyId: null,
  hasApiKey: false,
  currency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
};

const ETHER: Currency = { name: 'Ether', symbol: 'ETH', decimals: 18 };
const option = (chainId: number, name: string, slug: string, testnet: boolean, currency: Currency = ETHER): ChainOption => ({
  chainId,
  name,
  slug,
  testnet,
  currency,
});

/** Part of the registry `chains_list` serves (as Rust orders it: by chain id), with other currencies than ETH. */
export const CHAINS: ChainOption[] = [
  option(1, 'Ethereum', 'eth-mainnet', false),
  option(10, 'OP Mainnet', 'opt-mainnet', false),
  option(56, 'BNB Smart Chain', 'bnb-mainnet', false, { name: 'BNB', symbol: 'BNB', decimals: 18 }),
  option(97, 'BNB Smart Chain Testnet', 'bnb-testnet', true, { name: 'BNB', symbol: 'tBNB', decimals: 18 }),
  option(137, 'Polygon', 'polygon-mainnet', false, { name: 'POL', symbol: 'POL', decimals: 18 }),
  option(143, 'Monad', 'monad-mainnet', false, { name: 'Monad', symbol: 'MON', decimals: 18 }),
  option(8453, 'Base', 'base-mainnet', false),
  option(42161, 'Arbitrum One', 'arb-mainnet', false),
  option(80002, 'Polygon Amoy', 'polygon-amoy', true, { name: 'POL', symbol: 'POL', decimals: 18 }),
  option(84532, 'Base Sepolia', 'base-sepolia', true, { name: 'Sepolia Ether', symbol: 'ETH', decimals: 18 }),
  option(421614, 'Arbitrum Sepolia', 'arb-sepolia', true),
  option(11155111, 'Sepolia', 'eth-sepolia', true, { name: 'Sepolia Ether', symbol: 'ETH', decimals: 18 }),
  option(11155420, 'OP Sepolia', 'opt-sepolia', true, { name: 'Sepolia Ether', symbol: 'ETH', decimals: 18 }),
];

export type Call = { cmd: string; args: Record<string, unknown> | undefined };

declare global {
  interface Window {
    __WARDEN_SCENARIO__?: Scenario;
    __WARDEN_CALLS__: Call[];
    /** Test hooks: answer the approval window for the last grant, or emit any event. */
    __WARDEN_FAKE__: {
      finishApproval: (outcome: 'approved' | 'rejected' | 'expired') => Promise<void>;
      emit: (event: string, payload: unknown) => Promise<void>;
    };
  }
}

const ONE = 10n ** 18n;

/** Wei in the chain's currency, as Rust's `balance_of` writes it (18-decimal currencies here). */
function formatNative(wei: bigint, currency: Currency): string {
  const whole = wei / ONE;
  const fraction = (wei % ONE).toString().padStart(18, '0').slice(0, 6).replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} ${currency.symbol}`;
}

/** A deterministic, valid-looking address from a number. */
function addressFrom(seed: number, prefix: string): string {
  const hex = (seed * 2654435761 + 0x9e3779b9).toString(16).padStart(8, '0').repeat(5);
  return `0x${prefix}${hex}`.slice(0, 42);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function install(scenario: Scenario) {
  const calls: Call[] = [];
  window.__WARDEN_CALLS__ = calls;
  let backend: BackendInfo = scenario.backend ?? DEVNET;
  let keys: OwnerKey[] = (scenario.keys ?? []).map((k) => ({ ...k }));
  let delegated = scenario.delegated ?? false;
  const balances = new Map<string, bigint>(
    Object.entries(scenario.balances ?? {}).map(([a, w]) => [a.toLowerCase(), BigInt(w)]),
  );
  const failures = new Map(Object.entries(scenario.failures ?? {}).map(([c, list]) => [c, [...list]]));
  let created = 0;

  const fail = (code: AppError['code'], message: string): never => {
    throw { code, message } satisfies AppError;
  };
  const selected = () => keys.find((k) => k.selected) ?? fail('no_owner_key', 'no owner key is selected');
  const find = (id: unknown) => keys.find((k) => k.id === id) ?? fail('key_not_found', `no owner key with id ${String(id)}`);
  const add = (label: string, address: string): OwnerKey => {
    if (keys.some((k) => k.address.toLowerCase() === address.toLowerCase()))
      fail('already_exists', `an owner key for ${address} is already in the keychain`);
    keys = keys.map((k) => ({ ...k, selected: false }));
    const key = { id: `key-${keys.length + 1}-${created}`, address, label, selected: true };
    keys.push(key);
    return { ...key };
  };
  const keychainGuard = () => {
    const state = scenario.keychain ?? 'ok';
    if (state !== 'ok') fail(`keychain_${state}` as AppError['code'], scenario.keychainMessage ?? `keychain ${state}`);
  };
  const accountAddress = (type: unknown) => {
    const owner = selected();
    return type === '7702' ? owner.address : `0x5a${owner.address.slice(4)}`;
  };
  const balanceOf = (address: string) => balances.get(address.toLowerCase()) ?? 0n;

  const handlers: Record<string, (args: Record<string, unknown>) => unknown> = {
    app_info: () => ({ version: '0.1.0', backend }),
    keychain_status: () => {
      const state = scenario.keychain ?? 'ok';
      return { state, message: scenario.keychainMessage ?? (state === 'ok' ? 'keychain is unlocked' : `keychain ${state}`) };
    },
    keys_list: () => {
      keychainGuard();
      return keys.map((k) => ({ ...k }));
    },
    keys_create: ({ label }) => {
      keychainGuard();
      created += 1;
      return add(String(label), addressFrom(created, 'c0'));
    },
    keys_import_hex: ({ label, privateKey }) => {
      keychainGuard();
      if (typeof privateKey !== 'string' || !/^0x[0-9a-f]{64}$/.test(privateKey))
        fail('invalid_input', 'the private key is not 32 bytes of hex');
      // The well-known first anvil test key, so tests can check a known address.
      const known = privateKey === '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
      return add(String(label), known ? '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' : addressFrom(99, 'he'));
    },
    keys_import_mnemonic: ({ label, phrase, path }) => {
      keychainGuard();
      if (typeof phrase !== 'string' || phrase.split(' ').length < 12) fail('invalid_input', 'the recovery phrase is not valid');
      const known = phrase === 'test test test test test test test test test test test junk' && path === "m/44'/60'/0'/0/0";
      return add(String(label), known ? '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' : addressFrom(7, 'ee'));
    },
    keys_select: ({ id }) => {
      find(id);
      keys = keys.map((k) => ({ ...k, selected: k.id === id }));
      return keys.map((k) => ({ ...k }));
    },
    keys_rename: ({ id, label }) => {
      find(id);
      keys = keys.map((k) => (k.id === id ? { ...k, label: String(label) } : k));
      return keys.map((k) => ({ ...k }));
    },
    keys_repair: () => {
      keychainGuard();
      const lost = (scenario.lostKeys ?? []).filter((l) => !keys.some((k) => k.id === l.id));
      const recovered = lost.map((k) => ({ ...k, label: `Recovered key ${k.address}`, selected: false }));
      const before = keys.map((k) => ({ key: { ...k }, state: 'kept' as const, reason: null }));
      keys = [...keys, ...recovered];
      if (keys.length === 1 && keys[0]) keys[0].selected = true;
      return {
        keys: [...before, ...recovered.map((k) => ({ key: { ...k }, state: 'recovered' as const, reason: null }))],
        skipped: [],
        damage: null,
        setAside: null,
        written: recovered.length > 0,
      };
    },
    app_reset_plan: () => {
      keychainGuard();
      const paths = scenario.resetPaths ?? [];
      const summary = [
        ...(keys.length ? [`${keys.length} owner key${keys.length === 1 ? '' : 's'}: ${keys.map((k) => `“${k.label}” (${k.address})`).join(', ')}`] : []),
        ...(paths.length ? [`${paths.length} files and folders: the session list, the activity log, settings and the local devnet`] : []),
      ];
      return { ownerKeys: keys.map((k) => ({ ...k })), unlistedOwnerKeys: [], sessionKeys: 0, apiKey: backend.hasApiKey, otherEntries: 0, paths, summary };
    },
    // Rust asks in a native dialog, removes everything and closes the app: here it only records the call.
    app_reset: () => null,
    // Rust asks in a native dialog first; a cancel there is a `not_confirmed` in `failures`.
    keys_delete: ({ id }) => {
      const gone = find(id);
      keys = keys.filter((k) => k.id !== id);
      if (gone.selected && keys[0]) keys[0].selected = true;
      return keys.map((k) => ({ ...k }));
    },
    backend_status: () => backend,
    chains_list: () => CHAINS,
    backend_use_alchemy: ({ apiKey, chainId, policyId }) => {
      if (apiKey === null && !backend.hasApiKey) fail('invalid_input', 'no Alchemy API key is stored: enter one');
      const chain = CHAINS.find((c) => c.chainId === chainId);
      backend = {
        kind: 'alchemy',
        chainId: Number(chainId),
        chainName: chain?.name ?? `Chain ${String(chainId)}`,
        endpointHost: 'api.example-alchemy.test',
        nodeHost: 'node.example-alchemy.test',
        policyId: (policyId as string | null) ?? null,
        hasApiKey: true,
        currency: chain?.currency ?? ETHER,
      };
      return backend;
    },
    backend_check: ({ accountType }) => {
      const ok = (check: string, detail: string) => ({ check, outcome: 'ok', detail, fix: null });
      const wallet = ok('wallet endpoint', `${backend.endpointHost} answers wallet_requestAccount: account ${accountAddress(accountType)} (${String(accountType)})`);
      const node = ok('node', `node serves chain ${backend.chainId}`);
      const policy =
        backend.policyId === null
          ? { check: 'gas policy', outcome: 'skipped', detail: 'no gas policy is configured: the account pays for its own operations', fix: null }
          : backend.policyId.startsWith('dead')
            ? { check: 'gas policy', outcome: 'fail', detail: `policy ${backend.policyId}: unknown policy`, fix: 'check the policy id, and that the policy is active for this app and chain' }
            : ok('gas policy', `policy ${backend.policyId} sponsors an operation (prepared, not sent)`);
      const delegation =
        accountType === '7702'
          ? delegated
            ? ok('7702 delegation', 'delegated to Modular Account v2')
            : { check: '7702 delegation', outcome: 'warn', detail: 'not delegated yet', fix: 'delegate it before granting sessions' }
          : { check: '7702 delegation', outcome: 'skipped', detail: 'the account is not a 7702 account', fix: null };
      return [wallet, node, policy, delegation];
    },
    backend_use_devnet: () => {
      backend = { ...DEVNET, hasApiKey: backend.hasApiKey };
      return backend;
    },
    account_get: ({ accountType }) => ({
      address: accountAddress(accountType),
      accountType,
      owner: selected().address,
      chainId: backend.chainId,
      delegated: accountType === '7702' ? delegated : null,
      currency: backend.currency,
      fundingUri: `ethereum:${accountAddress(accountType)}@${backend.chainId}`,
    }),
    account_balance: ({ address }) => {
      const wei = balanceOf(String(address));
      return { wei: wei.toString(), formatted: formatNative(wei, backend.currency) };
    },
    devnet_fund: ({ address }) => {
      if (backend.kind !== 'devnet') fail('not_on_devnet', 'the faucet exists only on the local devnet');
      const wei = balanceOf(String(address)) + ONE;
      balances.set(String(address).toLowerCase(), wei);
      return { wei: wei.toString(), formatted: formatNative(wei, backend.currency) };
    },
  };

  const sessions = sessionHandlers(
    scenario,
    (type = 'sma-b') => accountAddress(type),
    () => backend.chainId,
    () => delegated,
    () => backend.currency,
  );
  Object.assign(handlers, sessions.handlers);
  window.__WARDEN_FAKE__ = { finishApproval: sessions.finishApproval, emit: (event, payload) => emit(event, payload) };

  async function delegate() {
    const steps: Progress[] = [
      { op: 'delegate', step: 'preparing', message: 'Preparing the delegation call' },
      { op: 'delegate', step: 'signing', message: 'Signing with your owner key' },
      { op: 'delegate', step: 'sending', message: 'Sending the call' },
      { op: 'delegate', step: 'waiting', message: 'Waiting for the call to be included' },
    ];
    for (const step of steps) {
      await emit('progress', step);
      if (scenario.holdAt === step.step) {
        await new Promise<void>((release) => {
          (globalThis as { __wardenReleaseStep?: () => void }).__wardenReleaseStep = release;
        });
      }
      await sleep(scenario.delays?.account_delegate_step ?? 150);
    }
    const status = scenario.delegateStatus ?? { status: 200, statusText: 'confirmed' };
    if (status.status === 200) delegated = true;
    await emit('progress', { op: 'delegate', step: status.status === 200 ? 'done' : 'failed', message: status.statusText });
    return { callId: '0xca11', status: status.status, statusText: status.statusText, txHash: `0x${'ab'.repeat(32)}` };
  }

  mockIPC(
    async (cmd, args) => {
      const payload = (args ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args: args as Record<string, unknown> | undefined });
      const delay = scenario.delays?.[`${cmd}:${String(payload.accountType ?? '')}`] ?? scenario.delays?.[cmd];
      if (delay) await sleep(delay);
      const queued = failures.get(cmd);
      if (queued?.length) throw queued.shift();
      if (cmd === 'account_delegate') {
        selected();
        return delegate();
      }
      const handler = handlers[cmd];
      if (!handler) throw `command ${cmd} not found`;
      return handler(payload);
    },
    { shouldMockEvents: true },
  );
}

install(window.__WARDEN_SCENARIO__ ?? {});
