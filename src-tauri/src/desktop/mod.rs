//! The app's desktop presence: a tray icon with what waits for the person, OS
//! notifications (tauri-plugin-notification; on Linux `org.freedesktop.Notifications` on the
//! session bus), and closing the main window to the tray when the person chose that.
//!
//! * [`watch`] — what deserves attention, decided from the session list, the waiting
//!   approval and the clock; each notification at most once.
//! * [`tray`] — the tray icon and its menu.
//!
//! A background task looks every [`TICK`] and whenever something changed (the
//! `sessions-changed` and `progress` events the commands already emit), reading the
//! switches in Settings each time. Left out: notification actions (buttons), and a badge
//! count on platforms that have one.

pub mod tray;
pub mod watch;

use std::sync::Arc;
use std::time::Duration;

use tauri::{AppHandle, Listener, Manager, WindowEvent};
use tauri_plugin_notification::NotificationExt;
use tracing::{debug, info, warn};

use crate::payloads::sessions::SESSIONS_CHANGED_EVENT;
use crate::records::now;
use crate::state::AppState;

/// How often the watcher looks when nothing pokes it (expiries are minutes apart).
pub const TICK: Duration = Duration::from_secs(30);

/// The `progress` event: a grant waiting for approval, a call failing, reported as they
/// happen.
const PROGRESS_EVENT: &str = "progress";

/// Sets up the tray, the watcher and close-to-tray. Called once the app's state is managed.
pub fn setup(app: &AppHandle) {
    if let Some(tray) = tray::create(app) {
        app.manage(tray);
        close_to_tray_when_chosen(app);
    }
    let poke = Arc::new(tokio::sync::Notify::new());
    for event in [SESSIONS_CHANGED_EVENT, PROGRESS_EVENT] {
        let poke = poke.clone();
        app.listen_any(event, move |_| poke.notify_one());
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut watcher = watch::Watcher::default();
        loop {
            look(&app, &mut watcher);
            tokio::select! {
                () = tokio::time::sleep(TICK) => {}
                () = poke.notified() => {}
            }
        }
    });
}

fn look(app: &AppHandle, watcher: &mut watch::Watcher) {
    let Some(state) = app.try_state::<AppState>() else { return };
    let at = now();
    let facts = watch::Facts {
        // An unreadable list is the UI's to report; the watcher just sees no sessions.
        sessions: state.records.sessions_quietly().unwrap_or_default(),
        approval: state.approvals.waiting(at),
    };
    let prefs = state.settings.load().desktop;
    let (notifications, view) = watcher.look(&facts, at, &prefs);
    debug!(sessions = facts.sessions.len(), due = notifications.len(), "desktop: looked");
    for n in notifications {
        info!(notice = ?n.notice, title = %n.title, "notification");
        if let Err(e) = app.notification().builder().title(&n.title).body(&n.body).show() {
            warn!(error = %e, "could not show a notification");
        }
    }
    if let Some(tray) = tray::of(app) {
        tray.show(app, &view);
    }
}

/// Closing the main window hides it instead, while "close to tray" is on (read at each
/// close, so the switch applies at once). Only set up when there is a tray to come back
/// from.
fn close_to_tray_when_chosen(app: &AppHandle) {
    let Some(window) = app.get_webview_window("main") else { return };
    let handle = app.clone();
    let main = window.clone();
    window.on_window_event(move |event| {
        if let WindowEvent::CloseRequested { api, .. } = event {
            let Some(state) = handle.try_state::<AppState>() else { return };
            if state.settings.load().desktop.close_to_tray {
                api.prevent_close();
                if let Err(e) = main.hide() {
                    warn!(error = %e, "could not hide the main window");
                } else {
                    info!("main window closed to the tray");
                }
            }
        }
    });
}
