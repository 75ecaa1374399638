// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
import type { BackendInfo } from "./BackendInfo";

/** Result of `app_info`. */
export type AppInfo = { version: string; backend: BackendInfo };
