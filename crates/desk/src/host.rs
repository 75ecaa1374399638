//! [`Host`]: what the desk's command bodies need from the desktop shell and nothing else —
//! the things only Tauri can do. `src-tauri` implements it over its `AppHandle` and the
//! calling window; the desk's tests implement it with a fake that records what happened.
//!
//! Kept narrow on purpose: a method is added when a body that moves here needs it, and it
//! does only what needs a window or the desktop; the words, checks and records around it
//! stay in the bodies.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use crate::clipboard_clear::Clipboard;
use crate::confirm::Question;
use crate::error::{AppError, ErrorCode};

/// The desktop shell, as the command bodies see it.
pub trait Host: Send + Sync {
    /// Sends `payload` to every window as event `event`. Delivery is best effort: a window
    /// that is gone simply does not hear it.
    fn emit(&self, event: &str, payload: serde_json::Value);

    /// The label of the window that called the command, when a window called it.
    fn caller_window(&self) -> Option<String>;

    /// Opens the approval window, or reloads it (so it reads the new approval) when it is
    /// still open from an earlier one, and brings it to the front. Closing it must end the
    /// approval it shows ([`crate::grant::window_closed`]).
    fn show_approval_window(&self) -> Result<(), String>;

    /// Asks `question` in a native dialog, drawn outside the web view where no script can
    /// answer it, and waits: `Ok(true)` when the person pressed the action's button,
    /// `Ok(false)` when they cancelled or closed it, `Err` when the dialog could not be
    /// shown. The bodies ask through [`crate::confirm::ask`].
    fn confirm(&self, question: &Question) -> impl Future<Output = Result<bool, String>> + Send;

    /// Shows a native save dialog and waits for the file the person chose; `Err` when the
    /// dialog could not be shown. Only a path comes back: the body writes the file (never
    /// replacing one).
    fn save_file(&self, dialog: FileDialog) -> impl Future<Output = Result<FileChoice, String>> + Send;

    /// Shows a native open dialog for one existing file and waits for the choice; `Err`
    /// when the dialog could not be shown. Only a path comes back: the body reads the file.
    fn open_file(&self, dialog: FileDialog) -> impl Future<Output = Result<FileChoice, String>> + Send;

    /// The system clipboard. Shared, so a secret put there can be cleared later from a
    /// task of its own ([`crate::clipboard_clear`]).
    fn clipboard(&self) -> Arc<dyn Clipboard>;
}

/// What a file dialog shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDialog {
    /// The dialog's title.
    pub title: &'static str,
    /// The file name a save dialog suggests.
    pub file_name: Option<String>,
    /// The name of the one file type it offers, and that type's extensions.
    pub filter: &'static str,
    pub extensions: &'static [&'static str],
}

/// What the person chose in a file dialog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChoice {
    /// This file.
    Path(PathBuf),
    /// Nothing: the dialog was cancelled or closed.
    Cancelled,
    /// Something that is not a local file (the toolkit's words why).
    NotAPath(String),
}

impl FileChoice {
    /// The chosen file, or the error a command answers with: `not_confirmed` with `cancelled`
    /// when nothing was chosen, `invalid_input` when the choice cannot be `used` ("read",
    /// "written") as a local file.
    pub fn into_path(self, cancelled: &str, used: &str) -> Result<PathBuf, AppError> {
        match self {
            Self::Path(path) => Ok(path),
            Self::Cancelled => Err(AppError::new(ErrorCode::NotConfirmed, cancelled)),
            Self::NotAPath(e) => Err(AppError::invalid_input(format!("the chosen file cannot be {used}: {e}"))),
        }
    }
}

/// Emits `payload` as event `event` through `host`.
pub fn emit<T: Serialize>(host: &impl Host, event: &str, payload: &T) {
    match serde_json::to_value(payload) {
        Ok(value) => host.emit(event, value),
        Err(e) => tracing::warn!(event, error = %e, "an event payload did not serialize"),
    }
}
