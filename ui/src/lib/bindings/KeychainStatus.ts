// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
import type { KeychainState } from "./KeychainState";

export type KeychainStatus = { state: KeychainState; message: string };
