// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { ActivityKind } from "./ActivityKind";

export type ActivityEntry = {
  seq: number;
  at: number;
  kind: ActivityKind;
  summary: string;
  sessionId: string | null;
  hash: string;
};
