//! Confirmations a script cannot fake: the irreversible or secret-revealing commands
//! (deleting an owner key, exporting a session's secret, forgetting a session, revoking
//! one, resetting Warden) ask the person in a native dialog before they act. The main
//! window's web content is untrusted (an injected script could send any IPC message it
//! likes), so a `confirm: true` in the message would prove nothing; the native dialog is
//! drawn by the OS toolkit outside the web view, where no script reaches.
//!
//! Each question names what will happen in words and has a button that says the action
//! ("Delete key", never "OK"); closing the dialog or pressing Escape is a refusal, answered
//! to the UI as `not_confirmed`. The words are written here, with the command bodies; only
//! drawing the dialog is the shell's ([`Host::confirm`]: in `src-tauri/src/host.rs`, which
//! also gives the action's button its keyboard mnemonic).

use crate::error::{AppError, ErrorCode};
use crate::host::Host;

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

/// Asks `question` through `host`'s native dialog and waits for the answer: `Ok(())` when
/// the person pressed the action's button, `not_confirmed` otherwise.
pub async fn ask(host: &impl Host, question: Question) -> Result<(), AppError> {
    let accepted = host
        .confirm(&question)
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
}
