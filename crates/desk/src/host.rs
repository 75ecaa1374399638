//! [`Host`]: what the desk's command bodies need from the desktop shell and nothing else —
//! the things only Tauri can do. `src-tauri` implements it over its `AppHandle` and the
//! calling window; the desk's tests implement it with a fake that records what happened.
//!
//! Kept narrow on purpose: a method is added when a body that moves here needs it, and it
//! does only what needs a window or the desktop; the words, checks and records around it
//! stay in the bodies.

use std::future::Future;

use serde::Serialize;

use crate::confirm::Question;

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
}

/// Emits `payload` as event `event` through `host`.
pub fn emit<T: Serialize>(host: &impl Host, event: &str, payload: &T) {
    match serde_json::to_value(payload) {
        Ok(value) => host.emit(event, value),
        Err(e) => tracing::warn!(event, error = %e, "an event payload did not serialize"),
    }
}
