// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
/** `wei` is a decimal string; `formatted` carries the unit, e.g. "1.5 ETH". */
export type Balance = { wei: string; formatted: string };
