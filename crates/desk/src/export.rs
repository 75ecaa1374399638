//! Exporting a session's `warden.session.v1` document: a preview without any secret (the
//! UI draws its QR code), and delivery with the session key omitted, in plain
//! text (ticked in the form), as a keystore v3 or age-encrypted — to a new file chosen in a
//! save dialog (mode 0600, never replacing one), to the clipboard, or by POST to a server
//! (`warden_core::export`: https, or plain http only to this computer). A document with a
//! secret goes nowhere until the person confirmed it in a native dialog
//! ([`crate::confirm`]) that names the form and the destination.
//!
//! The secret is sealed here, in Rust, from the keychain; only the destination's answer
//! (a path, an HTTP status and the server's reply) goes back to the UI. A document with a
//! secret put on the clipboard is cleared 30 s later if the clipboard still holds it
//! ([`crate::clipboard_clear`]); the result says so.
//!
//! The bodies of `session_export_preview` and `session_export`;
//! `src-tauri/src/commands/export.rs` calls in here with its `Host`, which draws the save
//! dialog and the confirmation and holds the clipboard.

use std::path::PathBuf;

use warden_core::activity::{ActivityKind, NewEntry, Summary};
use warden_core::credentials::{Secret, SecretForm, SessionCredentials};
use warden_core::export::{self, BearerToken, PlainHttp, PostConfig, PostTarget};

use crate::args::parse_session_id;
use crate::clipboard_clear::{CLEAR_AFTER_SECS, RuntimeTimer, clear_later};
use crate::confirm::{self, Question};
use crate::error::{AppError, ErrorCode};
use crate::host::{FileDialog, Host};
use crate::payloads::sessions::{ExportDestination, ExportPreview, ExportResult, SecretChoice};
use crate::records::session_id16;
use crate::state::DeskState;

/// The document of session `id`, never with a secret.
pub fn session_export_preview(state: &impl DeskState, id: &str) -> Result<ExportPreview, AppError> {
    let id = parse_session_id(id)?;
    let document =
        state.records().with_sessions(|s| s.get(id).map(|r| r.credentials.without_secret().to_json().to_string()))?;
    Ok(ExportPreview { document })
}

/// Delivers session `id`'s document with the secret as `secret` says to `destination`.
pub async fn session_export(
    host: &impl Host,
    state: &impl DeskState,
    id: &str,
    secret: serde_json::Value,
    destination: serde_json::Value,
) -> Result<ExportResult, AppError> {
    let id = parse_session_id(id)?;
    let secret: SecretChoice =
        serde_json::from_value(secret).map_err(|e| AppError::invalid_input(format!("secret: {e}")))?;
    let destination: ExportDestination =
        serde_json::from_value(destination).map_err(|e| AppError::invalid_input(format!("destination: {e}")))?;
    let record = state.records().with_sessions(|s| s.get(id).cloned())?;
    check_secret_choice(&secret, record.key_held_by_warden)?;
    // The destination first: a cancelled dialog or a bad URL costs no keychain access.
    let target = match &destination {
        ExportDestination::File => Target::File(choose_file(host, &record.label).await?),
        ExportDestination::Clipboard => Target::Clipboard,
        ExportDestination::Post { url, bearer, allow_plain_http } => {
            let bearer = match bearer {
                Some(b) if !b.is_blank() => Some(BearerToken::new(b.expose().to_owned())?),
                _ => None,
            };
            let plain_http = if *allow_plain_http == Some(true) { PlainHttp::Allowed } else { PlainHttp::LoopbackOnly };
            Target::Post(PostTarget::with_plain_http(url.trim(), bearer, plain_http)?)
        }
    };
    if let Some(form) = secret_form_words(&secret) {
        let to = match &target {
            Target::File(path) => format!("the file {}", path.display()),
            Target::Clipboard => "the clipboard (cleared after 30 s if it still holds it)".to_owned(),
            Target::Post(target) => format!("the server at {}", target.host()),
        };
        confirm::ask(
            host,
            Question::new(
                "Export session key?",
                format!(
                    "Export the session key of “{}” {form} to {to}? Whoever gets it can act within the session's \
                     permissions until it expires or is revoked.",
                    record.label
                ),
                "Export key",
            ),
        )
        .await?;
    }
    let document = seal(state, record.credentials.clone(), record.session_key, secret).await?;
    let mut clears_after = None;
    let (receipt, summary) = match target {
        Target::File(path) => {
            let receipt = tokio::task::spawn_blocking(move || export::export_to_file(&document.0, &path))
                .await
                .map_err(|e| AppError::internal(format!("the export stopped: {e}")))??;
            (receipt, Summary::new("Exported session").label(&record.label).text("to a file"))
        }
        Target::Clipboard => {
            let text = document.0.to_json();
            let clipboard = host.clipboard();
            clipboard.write_text(text.as_str()).map_err(|e| {
                AppError::new(ErrorCode::ExportFailed, format!("the clipboard did not take the document: {e}"))
            })?;
            if document.0.secret.is_some() {
                tokio::spawn(clear_later(clipboard, &RuntimeTimer, &text));
                clears_after = Some(CLEAR_AFTER_SECS);
            }
            let receipt =
                export::ExportReceipt { destination: "clipboard", path: None, http_status: None, server_reply: None };
            (receipt, Summary::new("Exported session").label(&record.label).text("to the clipboard"))
        }
        Target::Post(target) => {
            let receipt = export::post_document(&document.0, &target, &PostConfig::default()).await?;
            (receipt, Summary::new("Exported session").label(&record.label).text("to a server").host(&target.host()))
        }
    };
    let entry = NewEntry::new(ActivityKind::Exported, summary.text(document.1), session_id16(&record.session_id));
    state
        .records()
        .record_done(vec![entry], "The session was exported, but Warden could not write it to the activity log")
        .await?;
    Ok(ExportResult {
        destination: receipt.destination.to_owned(),
        path: receipt.path.map(|p| p.display().to_string()),
        http_status: receipt.http_status,
        server_reply: receipt.server_reply,
        clipboard_clears_after_secs: clears_after,
    })
}

enum Target {
    File(PathBuf),
    Clipboard,
    Post(PostTarget),
}

/// How the secret will travel, in words, or `None` when the document carries none.
fn secret_form_words(secret: &SecretChoice) -> Option<&'static str> {
    match secret {
        SecretChoice::None => None,
        SecretChoice::Plaintext { .. } => Some("in plain text"),
        SecretChoice::Keystore { .. } => Some("in a passphrase-protected keystore"),
        SecretChoice::Age { .. } => Some("encrypted to an age recipient"),
    }
}

fn check_secret_choice(secret: &SecretChoice, key_held: bool) -> Result<(), AppError> {
    match secret {
        SecretChoice::None => return Ok(()),
        SecretChoice::Plaintext { confirmed: false } => {
            return Err(AppError::new(
                ErrorCode::NotConfirmed,
                "exporting the session key in plain text needs explicit confirmation",
            ));
        }
        SecretChoice::Keystore { passphrase } if passphrase.is_blank() => {
            return Err(AppError::invalid_input("the keystore passphrase is empty"));
        }
        SecretChoice::Keystore { passphrase } => {
            warden_core::keystore::check_passphrase(passphrase.expose())
                .map_err(|e| AppError::invalid_input(e.to_string()))?;
        }
        SecretChoice::Age { recipient } if !recipient.trim().starts_with("age1") => {
            return Err(AppError::invalid_input("the age recipient must start with age1"));
        }
        _ => {}
    }
    if key_held {
        Ok(())
    } else {
        Err(AppError::invalid_input(
            "the server holds this session's key, so there is no secret to export: choose “no secret”",
        ))
    }
}

/// The document with its secret sealed as chosen, and a phrase for the log naming the
/// form (never the secret).
async fn seal(
    state: &impl DeskState,
    credentials: SessionCredentials,
    key: alloy_primitives::Address,
    secret: SecretChoice,
) -> Result<(SessionCredentials, &'static str), AppError> {
    if matches!(secret, SecretChoice::None) {
        return Ok((credentials.without_secret(), "without secret"));
    }
    let revealed = state.keychain().run(move |k| Ok(k.reveal_session_key(key)?)).await?;
    tokio::task::spawn_blocking(move || {
        let (form, phrase) = match &secret {
            SecretChoice::Plaintext { .. } => (SecretForm::Plaintext, "key in plain text"),
            SecretChoice::Keystore { passphrase } => {
                (SecretForm::Keystore { passphrase: passphrase.expose() }, "key in a keystore")
            }
            SecretChoice::Age { recipient } => (SecretForm::Age { recipient: recipient.trim() }, "key age-encrypted"),
            SecretChoice::None => return Ok((credentials.without_secret(), "without secret")),
        };
        let sealed = Secret::seal(revealed.expose(), form)?;
        let mut document = credentials.without_secret();
        document.secret = Some(sealed);
        document.check()?;
        Ok((document, phrase))
    })
    .await
    .map_err(|e| AppError::internal(format!("sealing the key stopped: {e}")))?
}

async fn choose_file(host: &impl Host, label: &str) -> Result<PathBuf, AppError> {
    let name: String = label.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' }).collect();
    let dialog = FileDialog {
        title: "Save session credentials",
        file_name: Some(format!("{}.warden-session.json", name.trim_matches('-'))),
        filter: "Session credentials",
        extensions: &["json"],
    };
    host.save_file(dialog)
        .await
        .map_err(|e| AppError::internal(format!("the save dialog stopped: {e}")))?
        .into_path("no file was chosen; nothing was exported", "written")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_choices_are_checked_before_anything_is_read() {
        assert!(check_secret_choice(&SecretChoice::None, false).is_ok());
        let e = check_secret_choice(&SecretChoice::Plaintext { confirmed: false }, true).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotConfirmed);
        assert!(check_secret_choice(&SecretChoice::Plaintext { confirmed: true }, true).is_ok());
        let e = check_secret_choice(&SecretChoice::Plaintext { confirmed: true }, false).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        let blank: SecretChoice =
            serde_json::from_value(serde_json::json!({"kind": "keystore", "passphrase": "  "})).unwrap();
        assert_eq!(check_secret_choice(&blank, true).unwrap_err().code, ErrorCode::InvalidInput);
        let age = SecretChoice::Age { recipient: "ssh-ed25519 AAAA".into() };
        assert_eq!(check_secret_choice(&age, true).unwrap_err().code, ErrorCode::InvalidInput);
    }
}
