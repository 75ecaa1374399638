// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
export type SelectorInfo = { signature: string; selector: string };
