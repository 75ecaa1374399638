// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { Severity } from "./Severity";

/** `permissionIndex` null: the flag is about the whole set. */
export type RiskFlag = { severity: Severity; message: string; permissionIndex: number | null };
