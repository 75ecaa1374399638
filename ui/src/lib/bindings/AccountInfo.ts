// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
import type { AccountType } from "./AccountType";

/** `delegated` is only known for 7702 accounts; null otherwise. */
export type AccountInfo = {
  address: string;
  accountType: AccountType;
  owner: string;
  chainId: number;
  delegated: boolean | null;
};
