// What the grant wizard's steps fill in, shared by the shell and the step components: one
// runes object instead of two dozen loose variables passed around. It holds the entries and
// what follows from them (each field's check, which errors show, the expiry in seconds); the
// shell does the moving between steps and the talking to Rust.

import type { AccountInfo } from '../../lib/bindings/AccountInfo';
import type { AccountType } from '../../lib/bindings/AccountType';
import type { BackendInfo } from '../../lib/bindings/BackendInfo';
import type { FieldError } from '../../lib/bindings/FieldError';
import type { SessionKeyChoice } from '../../lib/bindings/SessionKeyChoice';
import { checkAddress } from '../../lib/address';
import { checkExpiryDate, checkSessionLabel } from '../../lib/validate';
import { nowSec } from '../../lib/clock.svelte';
import { draftErrors, type DraftErrors, type PermissionDraft, type Slot } from '../../lib/permissions';

export const STEPS = ['Account and key', 'Expiry', 'Permissions', 'Summary'] as const;

export const PRESETS = [
  { id: '3600', name: '1 hour', seconds: 3600 },
  { id: '86400', name: '1 day', seconds: 86400 },
  { id: '604800', name: '7 days', seconds: 7 * 86400 },
  { id: '2592000', name: '30 days', seconds: 30 * 86400 },
] as const;

export type KeyKind = 'generate' | 'external';

export class GrantDraft {
  #backend: () => BackendInfo | null = () => null;
  // The account the session is for: the one the Account screen shows, changeable here.
  accountType = $state<AccountType>('sma-b');
  accountInfo = $state<AccountInfo | null>(null);
  accountFailure = $state<unknown>(null);
  label = $state('');
  keyKind = $state<KeyKind>('generate');
  keyAddress = $state('');
  expiryChoice = $state<string>('86400');
  customDate = $state('');
  neverConfirmed = $state(false);
  drafts = $state<PermissionDraft[]>([]);
  /** Fields left at least once: their errors show from then on. */
  touched = $state<Record<string, boolean>>({});
  /** Steps whose Next was pressed: all their errors show. */
  attempted = $state<boolean[]>([false, false, false, false]);
  serverErrors = $state<Map<number, DraftErrors>>(new Map());
  generalErrors = $state<FieldError[]>([]);

  readonly labelChecked = $derived(checkSessionLabel(this.label));
  readonly keyChecked = $derived(this.keyKind === 'external' ? checkAddress(this.keyAddress, 'session key address') : null);
  readonly customChecked = $derived(this.expiryChoice === 'custom' ? checkExpiryDate(this.customDate, nowSec()) : null);
  // Native limits are typed in the chain's currency: the account's chain, else the backend's.
  readonly currency = $derived(this.accountInfo?.currency ?? this.#backend()?.currency ?? null);
  readonly localErrors = $derived(
    this.currency ? this.drafts.map((d) => draftErrors(d, this.drafts.length, this.currency!)) : [],
  );
  readonly hasRoot = $derived(this.drafts.some((d) => d.type === 'root'));
  // A 7702 account grants sessions only once it is delegated (createSession needs the code).
  readonly notDelegated = $derived(this.accountType === '7702' && this.accountInfo?.delegated === false);
  readonly expiryName = $derived(
    this.expiryChoice === 'never'
      ? 'Never expires'
      : this.expiryChoice === 'custom'
        ? 'Custom date'
        : (PRESETS.find((p) => p.id === this.expiryChoice)?.name ?? ''),
  );

  constructor(accountType: AccountType, backend: () => BackendInfo | null) {
    this.accountType = accountType;
    this.#backend = backend;
  }

  /** Whether the error of `key` on `step` is shown: once the field was left or Next pressed. */
  shows(step: number, key: string): boolean {
    return this.attempted[step] || (this.touched[key] ?? false);
  }

  /** The errors shown on permission `index`: the server's, then the local ones it may show. */
  errorsOf(index: number, d: PermissionDraft): DraftErrors {
    const local = this.localErrors[index] ?? {};
    const shown: DraftErrors = {};
    for (const [slot, message] of Object.entries(local) as [Slot, string][]) {
      if (this.shows(2, `${d.id}:${slot}`)) shown[slot] = message;
    }
    return { ...(this.serverErrors.get(index) ?? {}), ...shown };
  }

  expirySec(): number | null {
    if (this.expiryChoice === 'never') return null;
    if (this.expiryChoice === 'custom') return this.customChecked?.ok ? this.customChecked.value : null;
    const preset = PRESETS.find((p) => p.id === this.expiryChoice);
    return nowSec() + (preset?.seconds ?? 86400);
  }

  keyChoice(): SessionKeyChoice {
    return this.keyKind === 'external' && this.keyChecked?.ok
      ? { kind: 'external', address: this.keyChecked.value }
      : { kind: 'generate' };
  }

  stepValid(index: number): boolean {
    if (index === 0)
      return !this.notDelegated && this.labelChecked.ok && (this.keyKind === 'generate' || (this.keyChecked?.ok ?? false));
    if (index === 1) {
      if (this.expiryChoice === 'custom') return this.customChecked?.ok ?? false;
      if (this.expiryChoice === 'never') return this.neverConfirmed;
      return true;
    }
    return true;
  }
}
