// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
export type BackendKind = "devnet" | "alchemy";
