// Typed wrappers over the Tauri commands of the IPC contract (src-tauri/src/commands,
// types in ./bindings), and its events (`progress`, `sessions-changed`, `approval-finished`, `request-answered`, `request-incoming`). The UI calls Rust only through this module, never `window.__TAURI__`.
// Every rejection is normalised to an `IpcError` carrying an `AppError` code, so screens can
// branch on the closed code set. Left out: retries and caching — the Rust side owns both.

import { invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type { AccountInfo } from './bindings/AccountInfo';
import type { AccountType } from './bindings/AccountType';
import type { AppError } from './bindings/AppError';
import type { AppInfo } from './bindings/AppInfo';
import type { BackendInfo } from './bindings/BackendInfo';
import type { KeyRepair } from './bindings/KeyRepair';
import type { ResetPlanView } from './bindings/ResetPlanView';
import type { Balance } from './bindings/Balance';
import type { CallResult } from './bindings/CallResult';
import type { ChainOption } from './bindings/ChainOption';
import type { CommandName } from './bindings/CommandName';
import type { CheckFinding } from './bindings/CheckFinding';
import type { ErrorCode } from './bindings/ErrorCode';
import { ERROR_TEXTS } from './bindings/errorTexts';
import type { KeychainStatus } from './bindings/KeychainStatus';
import type { OwnerKey } from './bindings/OwnerKey';
import type { Progress } from './bindings/Progress';
import type { ActivityKind } from './bindings/ActivityKind';
import type { ActivityLog } from './bindings/ActivityLog';
import type { ApprovalFinished } from './bindings/ApprovalFinished';
import type { ApprovalView } from './bindings/ApprovalView';
import type { ExportDestination } from './bindings/ExportDestination';
import type { ExportPreview } from './bindings/ExportPreview';
import type { ExportResult } from './bindings/ExportResult';
import type { GrantRequest } from './bindings/GrantRequest';
import type { PermissionCheck } from './bindings/PermissionCheck';
import type { PermissionWire } from './bindings/PermissionWire';
import type { SecretChoice } from './bindings/SecretChoice';
import type { SelectorInfo } from './bindings/SelectorInfo';
import type { IntakeStatus } from './bindings/IntakeStatus';
import type { QuarantinedView } from './bindings/QuarantinedView';
import type { RequestDelivery } from './bindings/RequestDelivery';
import type { RequestGrant } from './bindings/RequestGrant';
import type { RequestView } from './bindings/RequestView';
import type { SessionView } from './bindings/SessionView';
import type { TokenInfo } from './bindings/TokenInfo';
import type { UsageLine } from './bindings/UsageLine';

/** Every code the contract allows (generated from Rust with their texts); anything else
 * from the other side becomes `internal`. */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(ERROR_TEXTS) as ErrorCode[];

/** A rejected command: the contract's `AppError` plus the command that failed. */
export class IpcError extends Error implements AppError {
  readonly code: ErrorCode;
  readonly command: string;

  constructor(command: string, error: AppError) {
    super(error.message);
    this.name = 'IpcError';
    this.code = error.code;
    this.command = command;
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns whatever a command rejected with into an `AppError`. */
export function toAppError(reason: unknown): AppError {
  if (reason instanceof IpcError) return { code: reason.code, message: reason.message };
  if (reason && typeof reason === 'object') {
    const { code, message } = reason as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : '';
    if (isErrorCode(code)) return { code, message: text };
    if (text) return { code: 'internal', message: text };
  }
  if (typeof reason === 'string' && reason) return { code: 'internal', message: reason };
  return { code: 'internal', message: 'The app gave no reason.' };
}

async function call<T>(command: CommandName, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw new IpcError(command, toAppError(reason));
  }
}

export const appInfo = () => call<AppInfo>('app_info');
export const keychainStatus = () => call<KeychainStatus>('keychain_status');

export const keysList = () => call<OwnerKey[]>('keys_list');
export const keysCreate = (label: string) => call<OwnerKey>('keys_create', { label });
export const keysImportHex = (label: string, privateKey: string) =>
  call<OwnerKey>('keys_import_hex', { label, privateKey });
export const keysImportMnemonic = (label: string, phrase: string, path: string) =>
  call<OwnerKey>('keys_import_mnemonic', { label, phrase, path });
export const keysSelect = (id: string) => call<OwnerKey[]>('keys_select', { id });
export const keysRename = (id: string, label: string) => call<OwnerKey[]>('keys_rename', { id, label });
export const keysDelete = (id: string) => call<OwnerKey[]>('keys_delete', { id });
/** Rebuilds the owner-key list from the keychain's own entries (a lost or damaged list). */
export const keysRepair = () => call<KeyRepair>('keys_repair');
/** What a reset would remove; `appReset` asks in a native dialog, removes it all and closes Warden. */
export const appResetPlan = () => call<ResetPlanView>('app_reset_plan');
export const appReset = () => call<null>('app_reset');

export const backendStatus = () => call<BackendInfo>('backend_status');
export const chainsList = () => call<ChainOption[]>('chains_list');
/** `apiKey` null keeps the key already stored in the keychain. */
export const backendUseAlchemy = (apiKey: string | null, chainId: number, policyId: string | null) =>
  call<BackendInfo>('backend_use_alchemy', { apiKey, chainId, policyId });
export const backendUseDevnet = () => call<BackendInfo>('backend_use_devnet');
/** "Check connection": read-only checks of the active backend (nothing is signed or sent). */
export const backendCheck = (accountType: AccountType) => call<CheckFinding[]>('backend_check', { accountType });

export const accountGet = (accountType: AccountType) => call<AccountInfo>('account_get', { accountType });
export const accountBalance = (address: string) => call<Balance>('account_balance', { address });
/** Emits `progress` events with op "delegate" while it runs. */
export const accountDelegate = () => call<CallResult>('account_delegate');
export const devnetFund = (address: string) => call<Balance>('devnet_fund', { address });

// Grant wizard, sessions, export and activity (window `main`).
/** The core permission rules with field-level errors, and the permissions in words. */
export const permissionsCheck = (permissions: PermissionWire[], expirySec: number | null) =>
  call<PermissionCheck>('permissions_check', { permissions, expirySec });
export const tokenInfo = (address: string) => call<TokenInfo>('token_info', { address });
export const selectorOf = (signature: string) => call<SelectorInfo>('selector_of', { signature });
/** Resolves to the approvalId; Rust opens the `approval` window. Emits `progress` with op "grant". */
export const grantStart = (request: GrantRequest) => call<string>('grant_start', { request });
export const sessionsList = () => call<SessionView[]>('sessions_list');
export const sessionsQuarantined = () => call<QuarantinedView[]>('sessions_quarantined');
export const sessionsStartNewList = () => call<SessionView[]>('sessions_start_new_list');
export const sessionUsage = (id: string) => call<UsageLine[]>('session_usage', { id });
/** `value` is a decimal wei string; only for sessions whose key Warden holds. */
export const sessionTestCall = (id: string, to: string, value: string, data: string) =>
  call<CallResult>('session_test_call', { id, to, value, data });
/** Emits `progress` with op "revoke" while it runs. */
export const sessionRevoke = (id: string) => call<CallResult>('session_revoke', { id });
export const sessionForget = (id: string) => call<SessionView[]>('session_forget', { id });
export const sessionExportPreview = (id: string) => call<ExportPreview>('session_export_preview', { id });
export const sessionExport = (id: string, secret: SecretChoice, destination: ExportDestination) =>
  call<ExportResult>('session_export', { id, secret, destination });
// A server's permission request (window `main`).
/** A `warden://request?d=…` link or a request document, checked by Rust. */
export const requestOpen = (text: string) => call<RequestView>('request_open', { text });
/** Rust shows the file dialog; `not_confirmed` when no file was chosen. */
export const requestOpenFile = () => call<RequestView>('request_open_file');
/** Resolves to the approvalId, like grantStart; once approved, `request-answered` follows. */
export const requestGrant = (grant: RequestGrant) => call<string>('request_grant', { grant });
export const requestDecline = (requestId: string, reason: string | null) =>
  call<RequestDelivery>('request_decline', { requestId, reason });
/** A request handed to the app as a launch argument (link, or a request file's text), once. */
export const requestTakeIncoming = () => call<string | null>('request_take_incoming');
/** The loopback intake for servers on this computer (Settings): off until turned on. */
export const intakeStatus = () => call<IntakeStatus>('intake_status');
export const intakeStart = (port: number | null) => call<IntakeStatus>('intake_start', { port });
export const intakeStop = () => call<IntakeStatus>('intake_stop');
/** An answer that was not delivered, for delivery by hand: onto the clipboard, or into a
 * file Rust asks for (resolves to its path; `not_confirmed` when none was chosen). */
export const requestAnswerCopy = (requestId: string) => call<null>('request_answer_copy', { requestId });
export const requestAnswerSave = (requestId: string) => call<string>('request_answer_save', { requestId });
/** Sends again an answer that was not delivered. */
export const requestDeliver = (requestId: string) => call<RequestDelivery>('request_deliver', { requestId });
export const activityList = (kind: ActivityKind | null, sessionId: string | null) =>
  call<ActivityLog>('activity_list', { kind, sessionId });

// The approval window (window `approval`; its capability allows only these three).
export const approvalPending = () => call<ApprovalView | null>('approval_pending');
export const approvalApprove = (approvalId: string) => call<SessionView>('approval_approve', { approvalId });
export const approvalReject = (approvalId: string) => call<null>('approval_reject', { approvalId });

/** Subscribes to the `progress` event; resolves to the function that unsubscribes. */
export function onProgress(handler: (progress: Progress) => void): Promise<UnlistenFn> {
  return listen<Progress>('progress', (event) => handler(event.payload));
}

/** Subscribes to `sessions-changed` (no payload): the session list should be read again. */
export function onSessionsChanged(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('sessions-changed', () => handler());
}

/** Subscribes to `approval-finished`: the approval window was answered or timed out. */
export function onApprovalFinished(handler: (finished: ApprovalFinished) => void): Promise<UnlistenFn> {
  return listen<ApprovalFinished>('approval-finished', (event) => handler(event.payload));
}

/** Subscribes to `request-answered`: an answer to a permission request was sent, or not. */
export function onRequestAnswered(handler: (delivery: RequestDelivery) => void): Promise<UnlistenFn> {
  return listen<RequestDelivery>('request-answered', (event) => handler(event.payload));
}

/** Subscribes to `request-incoming` (no payload): take the request with requestTakeIncoming. */
export function onRequestIncoming(handler: () => void): Promise<UnlistenFn> {
  return listen<null>('request-incoming', () => handler());
}
