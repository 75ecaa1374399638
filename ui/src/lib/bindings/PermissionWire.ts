// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** One permission exactly as on the wire (SPEC §3.10); amounts are 0x-hex quantities. */
export type PermissionWire =
  | { type: "native-token-transfer"; data: { allowance: string } }
  | { type: "erc20-token-transfer"; data: { allowance: string; address: string } }
  | { type: "gas-limit"; data: { limit: string } }
  | { type: "contract-access"; data: { address: string } }
  | { type: "account-functions"; data: { functions: string[] } }
  | { type: "functions-on-all-contracts"; data: { functions: string[] } }
  | { type: "functions-on-contract"; data: { address: string; functions: string[] } }
  | { type: "root" };
