// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
import type { ErrorCode } from "./ErrorCode";

/** What every command rejects with. */
export type AppError = { code: ErrorCode; message: string };
