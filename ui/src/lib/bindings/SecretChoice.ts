// Hand-written to the IPC contract (app-contract-2.md) until src-tauri generates this file with ts-rs.
/** How the session key goes into an export; the passphrase is sent once and never returned. */
export type SecretChoice =
  | { kind: "none" }
  | { kind: "plaintext"; confirmed: boolean }
  | { kind: "keystore"; passphrase: string }
  | { kind: "age"; recipient: string };
