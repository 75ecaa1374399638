// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** A rule a permission (by index; null for the whole request) or its field breaks. */
export type FieldError = { index: number | null; field: string; message: string };
