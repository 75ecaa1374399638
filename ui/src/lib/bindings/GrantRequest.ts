// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { PermissionWire } from "./PermissionWire";
import type { SessionKeyChoice } from "./SessionKeyChoice";

/** `expirySec`: unix seconds, null for a session that never expires. */
export type GrantRequest = {
  label: string;
  key: SessionKeyChoice;
  expirySec: number | null;
  permissions: PermissionWire[];
};
