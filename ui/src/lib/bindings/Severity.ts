// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
export type Severity = "info" | "warning" | "danger";
