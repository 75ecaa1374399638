// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** A field where the prepared grant differs from the request. */
export type Mismatch = { field: string; expected: string; actual: string };
