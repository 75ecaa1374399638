// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { PermissionView } from "./PermissionView";
import type { SessionStatus } from "./SessionStatus";

export type SessionView = {
  id: string;
  label: string;
  account: string;
  chainId: number;
  sessionId: string;
  sessionKey: string;
  keyHeldByWarden: boolean;
  expirySec: number | null;
  createdAt: number;
  status: SessionStatus;
  permissions: PermissionView[];
};
