// The permission builder's model: a draft per permission as the person fills it in, the
// shape checks done instantly in the page, the wire form sent to Rust, and where each of
// `permissions_check`'s field errors belongs. The rules that span permissions (one native
// limit, one permission per address, privileged selectors, at least one callable function)
// are Rust's, through `permissions_check`; they are not repeated here.

import type { FieldError } from './bindings/FieldError';
import type { PermissionWire } from './bindings/PermissionWire';
import type { PermissionKind } from './bindings/PermissionKind';
import { PERMISSION_KINDS } from './bindings/permissionKinds';
import type { SelectorInfo } from './bindings/SelectorInfo';
import type { Currency } from './bindings/Currency';
import type { TokenInfo } from './bindings/TokenInfo';
import { checkAddress } from './address';
import { nativeDecimals, parseAmount, toQuantity } from './amount';
import { parseFunctionInput } from './functions';

export type { PermissionKind };

export type KindInfo = { type: PermissionKind; name: string; hint: string };

/** The permission types the builder offers, titled as everywhere else (generated from
 * Rust's `PermissionKind`); the native limit is named after the chain's currency. */
export function kinds(currency: Currency): readonly KindInfo[] {
  const fill = (text: string) => text.replaceAll('{currency}', currency.symbol);
  return PERMISSION_KINDS.map((k) => ({ type: k.type, name: fill(k.title), hint: fill(k.hint) }));
}

export function kindName(type: string, currency: Currency): string {
  return kinds(currency).find((k) => k.type === type)?.name ?? type;
}

export type FunctionDraft = {
  id: number;
  text: string;
  /** What `selector_of` said for `text` (a signature); null until it answered. */
  resolved: SelectorInfo | null;
  resolvedFor: string;
  /** `selector_of`'s refusal of `text`, in words. */
  refusal: string | null;
};

/**
 * `unit` is the chain's currency symbol (ETH, POL, …), "gwei" or "wei" for native and gas
 * limits; "token" or "raw" for ERC-20.
 */
export type PermissionDraft = {
  id: number;
  type: PermissionKind;
  amount: string;
  unit: string;
  address: string;
  token: TokenInfo | null;
  tokenFor: string;
  functions: FunctionDraft[];
  rootConfirmed: boolean;
};

let nextId = 1;
export const newId = () => nextId++;

export function newFunction(text = ''): FunctionDraft {
  return { id: newId(), text, resolved: null, resolvedFor: '', refusal: null };
}

/** A new permission of `type`; native amounts start in the chain's currency. */
export function newDraft(currency: Currency, type: PermissionKind = 'native-token-transfer'): PermissionDraft {
  return {
    id: newId(),
    type,
    amount: '',
    unit: type === 'erc20-token-transfer' ? 'raw' : currency.symbol,
    address: '',
    token: null,
    tokenFor: '',
    functions: [newFunction()],
    rootConfirmed: false,
  };
}

export const hasAmount = (t: PermissionKind) => t === 'native-token-transfer' || t === 'erc20-token-transfer' || t === 'gas-limit';
export const hasAddress = (t: PermissionKind) =>
  t === 'erc20-token-transfer' || t === 'contract-access' || t === 'functions-on-contract';
export const hasFunctions = (t: PermissionKind) =>
  t === 'functions-on-contract' || t === 'functions-on-all-contracts' || t === 'account-functions';

/** Decimals the amount of a draft is typed with, on a chain paying in `currency`. */
export function draftDecimals(d: PermissionDraft, currency: Currency): number {
  if (d.type === 'erc20-token-transfer') return d.unit === 'token' && d.token?.decimals != null ? d.token.decimals : 0;
  return nativeDecimals(d.unit, currency);
}

/** The name of the unit the amount of a draft is typed in. */
export function draftUnitName(d: PermissionDraft): string {
  if (d.type === 'erc20-token-transfer') return d.unit === 'token' && d.token?.symbol ? d.token.symbol : 'raw units';
  return d.unit;
}

/** Where in a permission card an error is shown. */
export type Slot = 'type' | 'amount' | 'address' | 'functions' | 'root' | 'card' | `function-${number}`;
export type DraftErrors = Partial<Record<Slot, string>>;

/** The selector a function entry stands for, when known. */
export function selectorOfEntry(f: FunctionDraft): string | null {
  const parsed = parseFunctionInput(f.text);
  if (!parsed.ok) return null;
  if (parsed.value.kind === 'selector') return parsed.value.selector;
  return f.resolvedFor === f.text.trim() ? (f.resolved?.selector ?? null) : null;
}

/** Shape errors of one draft, given how many permissions there are and the chain's currency. */
export function draftErrors(d: PermissionDraft, count: number, currency: Currency): DraftErrors {
  const errors: DraftErrors = {};
  if (d.type === 'root') {
    if (count > 1)
      errors.type = 'Full control (root) must be the only permission. Remove the other permissions, or pick another type.';
    if (!d.rootConfirmed) errors.root = 'Tick the box to confirm you understand, or pick another type.';
    return errors;
  }
  if (hasAddress(d.type)) {
    const what = d.type === 'erc20-token-transfer' ? 'token address' : 'contract address';
    const address = checkAddress(d.address, what);
    if (!address.ok) errors.address = address.error;
  }
  if (hasAmount(d.type)) {
    const amount = parseAmount(d.amount, draftDecimals(d, currency), draftUnitName(d));
    if (!amount.ok) errors.amount = amount.error;
  }
  if (hasFunctions(d.type)) {
    if (d.functions.length === 0) errors.functions = 'Add at least one function.';
    d.functions.forEach((f, i) => {
      const parsed = parseFunctionInput(f.text);
      if (!parsed.ok) errors[`function-${i}`] = parsed.error;
      else if (parsed.value.kind === 'signature' && f.refusal && f.resolvedFor === f.text.trim())
        errors[`function-${i}`] = f.refusal;
    });
  }
  return errors;
}

/**
 * The decimals each ERC-20 amount was entered with, by token address, for the drafts whose
 * amount is in token units: Warden reads the token again before approval and flags a change
 * (the base units were computed with these).
 */
export function enteredDecimals(drafts: PermissionDraft[]): { [token: string]: number } {
  const out: { [token: string]: number } = {};
  for (const d of drafts) {
    if (d.type !== 'erc20-token-transfer' || d.unit !== 'token' || d.token?.decimals == null) continue;
    const parsed = checkAddress(d.address);
    if (parsed.ok) out[parsed.value] = d.token.decimals;
  }
  return out;
}

/**
 * The wire form of a draft without shape errors (native amounts in `currency`); null while
 * something is missing (a signature whose selector `selector_of` has not given yet).
 */
export function toWire(d: PermissionDraft, currency: Currency): PermissionWire | null {
  const amount = () => {
    const parsed = parseAmount(d.amount, draftDecimals(d, currency), draftUnitName(d));
    return parsed.ok ? toQuantity(parsed.value) : null;
  };
  const address = () => {
    const parsed = checkAddress(d.address);
    return parsed.ok ? parsed.value : null;
  };
  const functions = () => {
    const list = d.functions.map(selectorOfEntry);
    return list.length > 0 && list.every((s): s is string => s !== null) ? list : null;
  };
  switch (d.type) {
    case 'root':
      return { type: 'root' };
    case 'native-token-transfer': {
      const allowance = amount();
      return allowance ? { type: d.type, data: { allowance } } : null;
    }
    case 'gas-limit': {
      const limit = amount();
      return limit ? { type: d.type, data: { limit } } : null;
    }
    case 'erc20-token-transfer': {
      const allowance = amount();
      const token = address();
      return allowance && token ? { type: d.type, data: { allowance, address: token } } : null;
    }
    case 'contract-access': {
      const target = address();
      return target ? { type: d.type, data: { address: target } } : null;
    }
    case 'functions-on-contract': {
      const target = address();
      const list = functions();
      return target && list ? { type: d.type, data: { address: target, functions: list } } : null;
    }
    case 'functions-on-all-contracts':
    case 'account-functions': {
      const list = functions();
      return list ? { type: d.type, data: { functions: list } } : null;
    }
  }
}

/** The card slot a `permissions_check` field error belongs to. */
export function slotOfField(field: string): Slot {
  const f = field.replace(/^data\./, '');
  const position = /^functions\[(\d+)\]/.exec(f);
  if (position) return `function-${Number(position[1])}`;
  if (f === 'functions') return 'functions';
  if (f === 'allowance' || f === 'limit') return 'amount';
  if (f === 'address') return 'address';
  if (f === 'type') return 'type';
  return 'card';
}

/** `permissions_check` errors grouped by permission index, each in its slot. */
export function placeServerErrors(errors: FieldError[]): { perPermission: Map<number, DraftErrors>; general: FieldError[] } {
  const perPermission = new Map<number, DraftErrors>();
  const general: FieldError[] = [];
  for (const e of errors) {
    if (e.index === null) {
      general.push(e);
      continue;
    }
    const slots = perPermission.get(e.index) ?? {};
    const slot = slotOfField(e.field);
    slots[slot] = slots[slot] ? `${slots[slot]} ${e.message}` : e.message;
    perPermission.set(e.index, slots);
  }
  return { perPermission, general };
}
