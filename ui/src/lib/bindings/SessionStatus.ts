// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** waiting = granted but not used yet. */
export type SessionStatus = "waiting" | "active" | "expired" | "revoked";
