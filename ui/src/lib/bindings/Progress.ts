// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
import type { ProgressStep } from "./ProgressStep";

/** Payload of the `progress` event. */
export type Progress = { op: string; step: ProgressStep; message: string };
