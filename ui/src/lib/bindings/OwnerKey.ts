// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
export type OwnerKey = { id: string; address: string; label: string; selected: boolean };
