// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { RiskFlag } from "./RiskFlag";

/** One permission in words: `kind` is the wire type, `detail` carries amounts with units. */
export type PermissionView = { index: number; kind: string; title: string; detail: string; risks: RiskFlag[] };
