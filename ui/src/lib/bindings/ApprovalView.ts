// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { AccountType } from "./AccountType";
import type { Mismatch } from "./Mismatch";
import type { PermissionView } from "./PermissionView";
import type { RiskFlag } from "./RiskFlag";

/** The pending approval the approval window shows; `validUntil` is unix seconds. */
export type ApprovalView = {
  approvalId: string;
  account: string;
  accountType: AccountType;
  chainId: number;
  chainName: string;
  sessionKey: string;
  keyHeldByWarden: boolean;
  expirySec: number | null;
  permissions: PermissionView[];
  risks: RiskFlag[];
  verified: boolean;
  mismatches: Mismatch[];
  digest: string;
  validUntil: number;
};
