// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** symbol/decimals are null when the token contract did not answer. */
export type TokenInfo = { address: string; symbol: string | null; decimals: number | null };
