// Error codes in plain words: what happened and what to do, for the note shown next to the
// control that failed. The Rust message is shown under it as detail. The texts are declared
// with the codes in Rust (warden_core::ErrorCode) and generated into ./bindings/errorTexts.
// Left out: translations.

import type { AppError } from './bindings/AppError';
import type { ErrorCode } from './bindings/ErrorCode';
import { ERROR_TEXTS } from './bindings/errorTexts';
import { toAppError } from './ipc';

export type ErrorText = { summary: string; action: string };

/** Plain words for an error code. */
export function errorText(code: ErrorCode): ErrorText {
  return ERROR_TEXTS[code] ?? ERROR_TEXTS.internal;
}

/** Whether the person said no in one of Rust's native confirmation dialogs (or a file
 * dialog): not a failure to report, just nothing done. */
export function declined(reason: unknown): boolean {
  return toAppError(reason).code === 'not_confirmed';
}

/** Plain words plus the original detail, for anything a command rejected with. */
export function describeError(reason: unknown): ErrorText & AppError {
  const error = toAppError(reason);
  return { ...error, ...errorText(error.code) };
}
