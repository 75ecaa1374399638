// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { UsageSource } from "./UsageSource";

/** `used`/`limit` are decimal base-unit strings; the formatted ones carry units. */
export type UsageLine = {
  permissionIndex: number;
  label: string;
  used: string;
  limit: string;
  usedFormatted: string;
  limitFormatted: string;
  source: UsageSource;
  note: string | null;
};
