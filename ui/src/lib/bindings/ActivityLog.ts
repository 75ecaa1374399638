// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
import type { ActivityEntry } from "./ActivityEntry";

/** `brokenAt`: the seq of the first entry whose link fails; `problem` says how. */
export type ActivityLog = { entries: ActivityEntry[]; intact: boolean; brokenAt: number | null; problem: string | null };
