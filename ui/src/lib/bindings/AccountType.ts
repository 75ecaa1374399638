// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
export type AccountType = "sma-b" | "7702";
