//! warden-desk: the desktop app's own logic, without Tauri.
//!
//! It exists so the app's orchestration — a grant from the wizard to the approval window,
//! the owner's signature and the session list — can be run and tested as plain Rust, over
//! the real devnet and a real keychain, in milliseconds rather than through WebDriver.
//! `src-tauri` (`warden-app`) is what only Tauri can be: the `#[tauri::command]` wrappers
//! (one per name, so the approval window's per-command capability still holds), the
//! [`host::Host`] implementation over its windows and events, `build.rs` and the
//! capabilities. Nothing here depends on Tauri (`cargo tree -p warden-desk | grep -i tauri`
//! is empty).
//!
//! What it owns:
//!
//! * [`grant`] — the bodies of `grant_start`, `approval_pending`, `approval_approve` and
//!   `approval_reject`, and the clean-up of an approval that ends unsigned.
//! * [`keys`] — owner keys; [`account`] — the owner's account, its balance, delegation and
//!   the devnet faucet; [`permissions`] — the grant wizard's checks; [`activity`] — the
//!   activity log screen; [`sessions`] — the sessions dashboard: the list, usage, a test
//!   call, revoking and forgetting; [`export`] — a session's document, previewed or
//!   delivered to a file, the clipboard or a server; [`requests`] — a server's permission
//!   request opened, granted through [`grant::begin`], declined, and its answer delivered.
//! * [`open_requests`] — the requests opened and not yet answered, and the answers waiting
//!   for delivery; [`intake`] — the requests handed to the app, until the main window takes
//!   them; [`loopback_intake`] — the HTTP listener on 127.0.0.1 that servers hand them to.
//! * [`confirm`] — the native confirmations' questions (the shell only draws the dialog);
//!   [`clipboard_clear`] — a secret put on the clipboard is cleared 30 s later if still there.
//! * [`host`] — [`host::Host`], the narrow list of what those bodies need from the shell;
//!   [`state::DeskState`], the shared state they read.
//! * [`approvals`] — pending approvals (single use, five minutes).
//! * [`records`] — the session list and the activity log on disk.
//! * [`keychain_access`] — the app's connection to the OS keychain.
//! * [`backend`] — which backend is active ([`backend::ActiveBackend`], the endpoints a
//!   command talks to) and the backend commands' bodies; [`settings`] — the settings and
//!   their file; [`embedded_devnet`] — the local devnet the app runs for itself.
//! * [`payloads`] — the types that cross IPC, with their generated TypeScript; [`error`] —
//!   `{code, message}` errors from the closed code set; [`sensitive`] — secrets from the UI.
//! * [`args`] — command arguments checked by the core's rules; [`views`] — records as the UI
//!   shows them.
//!
//! Left out for now (issue 13): the `app_*` and `keychain_status` commands' bodies and
//! the reset, which still live in `src-tauri`.

pub mod account;
pub mod activity;
pub mod approvals;
pub mod args;
pub mod backend;
pub mod clipboard_clear;
pub mod confirm;
pub mod embedded_devnet;
pub mod error;
pub mod export;
pub mod grant;
pub mod host;
pub mod intake;
pub mod keychain_access;
pub mod keys;
pub mod loopback_intake;
pub mod open_requests;
pub mod payloads;
pub mod permissions;
pub mod records;
pub mod requests;
pub mod sensitive;
pub mod sessions;
pub mod settings;
pub mod state;
pub mod views;
