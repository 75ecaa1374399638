//! Confirmations a script cannot fake: the irreversible or secret-revealing commands
//! (deleting an owner key, exporting a session's secret, forgetting a session, revoking
//! one, resetting Warden) ask the person in a native dialog raised here, in Rust, before
//! they act. The main window's web content is untrusted (an injected script could send any
//! IPC message it likes), so a `confirm: true` in the message would prove nothing; the
//! native dialog is drawn by the OS toolkit outside the web view, where no script reaches.
//!
//! Each question names what will happen in words and has a button that says the action
//! ("Delete key", never "OK"); closing the dialog or pressing Escape is a refusal, answered
//! to the UI as `not_confirmed`. On Linux the action's label carries a GTK mnemonic, so
//! Alt + its first letter presses it from the keyboard (the dialog's selectable text takes
//! the first focus, so Enter alone would not).
//!
//! Left out: a dialog parented to the main window (the GTK backend opens message dialogs
//! without a parent; they are modal and on top all the same).

use tauri::AppHandle;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

use crate::error::{AppError, ErrorCode};

/// A question for the person: a short title (the dialog's window title too), what will
/// happen, and the label of the button that does it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub title: String,
    pub message: String,
    pub action: &'static str,
}

impl Question {
    pub fn new(title: impl Into<String>, message: impl Into<String>, action: &'static str) -> Self {
        Self { title: title.into(), message: message.into(), action }
    }

    /// The answer the UI gets when the person declined.
    fn declined(&self) -> AppError {
        AppError::new(ErrorCode::NotConfirmed, format!("not confirmed: “{}” was cancelled", self.title))
    }
}

/// The button text as the toolkit wants it: with a mnemonic on the first letter on Linux.
fn button_label(action: &str) -> String {
    if cfg!(target_os = "linux") { format!("_{action}") } else { action.to_owned() }
}

/// Asks `question` in a native dialog and waits for the answer: `Ok(())` when the person
/// pressed the action's button, `not_confirmed` otherwise.
pub async fn ask(app: &AppHandle, question: Question) -> Result<(), AppError> {
    let dialog = app
        .dialog()
        .message(question.message.clone())
        .title(question.title.clone())
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(button_label(question.action), button_label("Cancel")));
    let accepted = tauri::async_runtime::spawn_blocking(move || dialog.blocking_show())
        .await
        .map_err(|e| AppError::internal(format!("the confirmation dialog stopped: {e}")))?;
    if accepted { Ok(()) } else { Err(question.declined()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_declined_question_is_not_confirmed_and_names_it() {
        let q = Question::new("Delete owner key?", "It cannot be undone.", "Delete key");
        let e = q.declined();
        assert_eq!(e.code, ErrorCode::NotConfirmed);
        assert!(e.message.contains("Delete owner key?"), "{}", e.message);
    }

    #[test]
    fn the_action_button_has_a_mnemonic_on_linux() {
        let label = button_label("Revoke session");
        if cfg!(target_os = "linux") {
            assert_eq!(label, "_Revoke session");
        } else {
            assert_eq!(label, "Revoke session");
        }
    }
}
