// Hand-written to the IPC contract (app-contract.md) until src-tauri generates this file with ts-rs.
import type { BackendKind } from "./BackendKind";

export type BackendInfo = {
  kind: BackendKind;
  chainId: number;
  chainName: string;
  endpointHost: string;
  policyId: string | null;
  hasApiKey: boolean;
};
