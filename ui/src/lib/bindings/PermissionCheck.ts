// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { FieldError } from "./FieldError";
import type { PermissionView } from "./PermissionView";
import type { RiskFlag } from "./RiskFlag";

export type PermissionCheck = { ok: boolean; errors: FieldError[]; views: PermissionView[]; risks: RiskFlag[] };
