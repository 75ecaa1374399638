// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** "file": Rust opens the save dialog itself. */
export type ExportDestination = { kind: "file" } | { kind: "clipboard" } | { kind: "post"; url: string; bearer: string | null };
