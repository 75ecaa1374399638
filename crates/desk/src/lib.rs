//! warden-desk: the desktop app's own logic, without Tauri.
//!
//! It exists so the app's orchestration — a grant from the wizard to the approval window,
//! the owner's signature and the session list — can be run and tested as plain Rust, over
//! the real devnet and a real keychain, in milliseconds rather than through WebDriver.
//! Every command's body is here. `src-tauri` (`warden-app`) is what only Tauri can be: the
//! `#[tauri::command]` wrappers (one per name, so the approval window's per-command
//! capability still holds; each takes its arguments, calls in here and returns), the
//! [`host::Host`] implementation over its windows, dialogs, clipboard and events, the
//! timers and background tasks on its runtime, `build.rs` and the capabilities. Nothing
//! here depends on Tauri (`cargo tree -p warden-desk | grep -i tauri` is empty).
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
//!   request opened, granted through [`grant::begin`], declined, and its answer delivered;
//!   [`app`] — the first screen's `app_info` and `keychain_status`, and the reset.
//! * [`open_requests`] — the requests opened and not yet answered, and the answers waiting
//!   for delivery; [`intake`] — the requests handed to the app, until the main window takes
//!   them; [`loopback_intake`] — the HTTP listener on 127.0.0.1 that servers hand them to.
//! * [`confirm`] — the native confirmations' questions (the shell only draws the dialog);
//!   [`clipboard_clear`] — a secret put on the clipboard is cleared 30 s later if still there.
//! * [`host`] — [`host::Host`], the narrow list of what those bodies need from the shell;
//!   [`state::AppState`], the shared state they read through [`state::DeskState`].
//! * [`approvals`] — pending approvals (single use, five minutes).
//! * [`store`] — the app's list of sessions, one JSON file written atomically, with each
//!   session's record; [`usage`] — how much of each session limit is used, from the
//!   devnet's accounting (core's [`warden_core::usage`]) or the calls Warden observed.
//! * [`records`] — the session list and the activity log on disk.
//! * [`keychain_access`] — the app's connection to the OS keychain.
//! * [`backend`] — which backend is active ([`backend::ActiveBackend`], the endpoints a
//!   command talks to) and the backend commands' bodies; [`settings`] — the settings and
//!   their file; [`embedded_devnet`] — the local devnet the app runs for itself.
//! * [`locations`] — the app's three folders and the move from 0.1's; [`reset`] — what a
//!   reset removes.
//! * [`payloads`] — the types that cross IPC, with their generated TypeScript; [`error`] —
//!   `{code, message}` errors from the closed code set; [`sensitive`] — secrets from the UI.
//! * [`args`] — command arguments checked by the core's rules; [`views`] — records as the UI
//!   shows them.
//!
//! Left out, because only the shell can do them: asking the platform for its folders
//! (`src-tauri/src/locations.rs`), reading a launch's arguments (`src-tauri/src/intake.rs`),
//! the timer that ends an unanswered approval and the task that delivers an approved
//! request's answer (both spawned on Tauri's runtime), closing the app after a reset, and
//! the tray, notifications, single instance, navigation guard and updater.

pub mod account;
pub mod activity;
pub mod app;
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
pub mod locations;
pub mod loopback_intake;
pub mod open_requests;
pub mod payloads;
pub mod permissions;
pub mod records;
pub mod requests;
pub mod reset;
pub mod sensitive;
pub mod sessions;
pub mod settings;
pub mod state;
pub mod store;
pub mod usage;
pub mod views;
