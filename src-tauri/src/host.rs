//! [`TauriHost`]: the desk's [`Host`] over Tauri — events through the `AppHandle`, the
//! calling window's label, the approval window (created here, or reloaded when it is
//! still open from an approval already answered; closing it rejects the approval it shows),
//! the native confirmation, save and open dialogs (`tauri-plugin-dialog`) and the clipboard
//! (`tauri-plugin-clipboard-manager`).
//!
//! Everything else about a command is `warden_desk`'s; this module only does what needs a
//! window or the desktop. Left out: a confirmation parented to the main window (the GTK
//! backend opens message dialogs without a parent; they are modal and on top all the same).

use std::future::Future;
use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager, WebviewUrl, WebviewWindowBuilder, Window};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath, MessageDialogButtons, MessageDialogKind};
use warden_desk::approvals::APPROVAL_WINDOW;
use warden_desk::clipboard_clear::Clipboard;
use warden_desk::confirm::Question;
use warden_desk::host::{FileChoice, FileDialog, Host};

use crate::state::AppState;

/// The app as the desk sees it, for one command call.
#[derive(Debug)]
pub struct TauriHost {
    app: AppHandle,
    /// The window that called the command, when a window did.
    window: Option<Window>,
}

impl TauriHost {
    /// For a command no window's label matters to.
    pub fn new(app: &AppHandle) -> Self {
        Self { app: app.clone(), window: None }
    }

    /// For a command called by `window`.
    pub fn called_by(app: &AppHandle, window: &Window) -> Self {
        Self { app: app.clone(), window: Some(window.clone()) }
    }
}

impl Host for TauriHost {
    fn emit(&self, event: &str, payload: serde_json::Value) {
        let _ = self.app.emit(event, payload);
    }

    fn caller_window(&self) -> Option<String> {
        self.window.as_ref().map(|w| w.label().to_owned())
    }

    fn show_approval_window(&self) -> Result<(), String> {
        show_approval_window(&self.app).map_err(|e| e.to_string())
    }

    fn confirm(&self, question: &Question) -> impl Future<Output = Result<bool, String>> + Send {
        let dialog = self
            .app
            .dialog()
            .message(question.message.clone())
            .title(question.title.clone())
            .kind(MessageDialogKind::Warning)
            .buttons(MessageDialogButtons::OkCancelCustom(button_label(question.action), button_label("Cancel")));
        async move { tauri::async_runtime::spawn_blocking(move || dialog.blocking_show()).await.map_err(|e| e.to_string()) }
    }

    fn save_file(&self, dialog: FileDialog) -> impl Future<Output = Result<FileChoice, String>> + Send {
        let dialog = file_dialog(&self.app, dialog);
        async move {
            let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
                .await
                .map_err(|e| e.to_string())?;
            Ok(file_choice(chosen))
        }
    }

    fn open_file(&self, dialog: FileDialog) -> impl Future<Output = Result<FileChoice, String>> + Send {
        let dialog = file_dialog(&self.app, dialog);
        async move {
            let chosen = tauri::async_runtime::spawn_blocking(move || dialog.blocking_pick_file())
                .await
                .map_err(|e| e.to_string())?;
            Ok(file_choice(chosen))
        }
    }

    fn clipboard(&self) -> Arc<dyn Clipboard> {
        Arc::new(AppClipboard(self.app.clone()))
    }
}

fn file_dialog(app: &AppHandle, dialog: FileDialog) -> FileDialogBuilder<tauri::Wry> {
    let builder = app.dialog().file().set_title(dialog.title).add_filter(dialog.filter, dialog.extensions);
    match dialog.file_name {
        Some(name) => builder.set_file_name(name),
        None => builder,
    }
}

fn file_choice(chosen: Option<FilePath>) -> FileChoice {
    match chosen.map(FilePath::into_path) {
        None => FileChoice::Cancelled,
        Some(Ok(path)) => FileChoice::Path(path),
        Some(Err(e)) => FileChoice::NotAPath(e.to_string()),
    }
}

/// The app's clipboard through tauri-plugin-clipboard-manager.
struct AppClipboard(AppHandle);

impl Clipboard for AppClipboard {
    fn write_text(&self, text: &str) -> Result<(), String> {
        self.0.clipboard().write_text(text).map_err(|e| e.to_string())
    }

    fn read_text(&self) -> Result<Option<String>, String> {
        // The plugin reports a clipboard without text as an error; either way there is
        // nothing of ours to clear.
        Ok(self.0.clipboard().read_text().ok())
    }

    fn clear(&self) -> Result<(), String> {
        self.0.clipboard().clear().map_err(|e| e.to_string())
    }
}

/// A confirmation button's text as the toolkit wants it: on Linux with a GTK mnemonic on
/// the first letter, so Alt + that letter presses it from the keyboard (the dialog's
/// selectable text takes the first focus, so Enter alone would not).
fn button_label(action: &str) -> String {
    if cfg!(target_os = "linux") { format!("_{action}") } else { action.to_owned() }
}

fn show_approval_window(app: &AppHandle) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(APPROVAL_WINDOW) {
        window.eval("window.location.reload()")?;
        let _ = window.unminimize();
        return window.set_focus();
    }
    let window = WebviewWindowBuilder::new(app, APPROVAL_WINDOW, WebviewUrl::App("approval.html".into()))
        .title("Approve session — Warden")
        .inner_size(560.0, 780.0)
        .min_inner_size(420.0, 520.0)
        .focused(true)
        .build()?;
    // In front and focused: Approve arms only in a window the person can see and is using.
    let _ = window.set_focus();
    let handle = app.clone();
    window.on_window_event(move |event| {
        if let tauri::WindowEvent::Destroyed = event {
            let app = handle.clone();
            tauri::async_runtime::spawn(async move {
                let state = app.state::<AppState>();
                warden_desk::grant::window_closed(&TauriHost::new(&app), state.inner(), APPROVAL_WINDOW).await;
            });
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
