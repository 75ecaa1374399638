// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
export type ActivityKind =
  | "account_created"
  | "grant_requested"
  | "approved"
  | "rejected"
  | "signed"
  | "exported"
  | "test_call"
  | "revoked"
  | "forgotten";
