// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** `serverReply` is truncated by Rust. */
export type ExportResult = {
  destination: string;
  path: string | null;
  httpStatus: number | null;
  serverReply: string | null;
};
