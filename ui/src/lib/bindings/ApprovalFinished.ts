// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { ApprovalOutcome } from "./ApprovalOutcome";

/** Payload of the `approval-finished` event. */
export type ApprovalFinished = { approvalId: string; outcome: ApprovalOutcome };
