// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** `document` never carries a secret; `qrSvgPath` is null when it is too large for a QR code. */
export type ExportPreview = { document: string; qrSvgPath: string | null };
