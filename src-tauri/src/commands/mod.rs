//! The `#[tauri::command]`s the UI calls: the IPC contract (`docs/architecture.md`). Each is a
//! few lines: take plain arguments, call the core crates, map errors to
//! [`AppError`](crate::error::AppError). Secrets arrive only in the import and API-key
//! commands, as [`Sensitive`](crate::sensitive::Sensitive) values.
//!
//! Arguments are taken in their loosest JSON shape (strings, numbers) and checked here,
//! because a value Tauri itself fails to deserialize would reject with a bare string
//! instead of a `{code, message}`.
//!
//! [`COMMANDS`] lists every command: `build.rs` generates their permissions from the same
//! names, the capability grants them to the main window, and a test checks the three agree.

pub mod account;
pub mod activity;
pub mod app;
pub mod backend;
pub mod export;
pub mod grant;
pub mod keys;
pub mod permissions;
pub mod requests;
pub mod sessions;

include!("names.rs");

pub use warden_desk::args::parse_address;

/// A user's label argument: blank means "let Warden name it".
pub fn optional_label(label: Option<String>) -> Option<String> {
    label.filter(|l| !l.trim().is_empty())
}
