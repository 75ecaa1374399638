//! The tray icon and its menu: the approvals waiting, the sessions expiring within the
//! hour, "Open Warden" and "Quit Warden". On Linux the icon is an AppIndicator
//! (libayatana-appindicator, a dependency of the package) and the waiting count is the
//! label beside it; elsewhere the count is in the tooltip.
//!
//! The menu is rebuilt only when what it shows changes. Without the AppIndicator library
//! (a build run outside the package) there is no tray: the app logs why and runs without
//! one, and closing the main window then quits as usual. Left out: clicking an expiring
//! session to open it.

use std::sync::Mutex;

use tauri::image::Image;
use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{TrayIcon, TrayIconBuilder};
use tauri::{AppHandle, Manager, Wry};
use tracing::{info, warn};

use super::watch::TrayView;

const ICON: &[u8] = include_bytes!("../../../icons/32x32.png");
const ID_OPEN: &str = "open";
const ID_QUIT: &str = "quit";

/// The tray of a running app, and what it shows now.
pub struct Tray {
    icon: TrayIcon<Wry>,
    shown: Mutex<Option<TrayView>>,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Tray")
    }
}

/// "1 approval waiting", "No approval waiting".
fn approvals_line(n: usize) -> String {
    match n {
        0 => "No approval waiting".to_owned(),
        1 => "1 approval waiting".to_owned(),
        n => format!("{n} approvals waiting"),
    }
}

/// The menu's lines for `view`, top to bottom (without Open/Quit).
pub fn lines(view: &TrayView) -> Vec<String> {
    let mut out = vec![approvals_line(view.pending_approvals)];
    if view.expiring.is_empty() {
        out.push("No session expires within the hour".to_owned());
    }
    for (label, left) in &view.expiring {
        out.push(format!("“{label}” expires in {}", super::watch::minutes(*left)));
    }
    out
}

fn menu(app: &AppHandle, view: &TrayView) -> tauri::Result<Menu<Wry>> {
    let menu = Menu::new(app)?;
    menu.append(&MenuItem::with_id(app, ID_OPEN, "Open Warden", true, None::<&str>)?)?;
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    for (i, line) in lines(view).into_iter().enumerate() {
        menu.append(&MenuItem::with_id(app, format!("info-{i}"), line, false, None::<&str>)?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(app, ID_QUIT, "Quit Warden", true, None::<&str>)?)?;
    Ok(menu)
}

/// Creates the tray, or explains in the log why there is none.
pub fn create(app: &AppHandle) -> Option<Tray> {
    let view = TrayView::default();
    // tray-icon panics when the AppIndicator library cannot be loaded; that must not end
    // the app.
    let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> tauri::Result<TrayIcon<Wry>> {
        TrayIconBuilder::with_id("warden")
            .icon(Image::from_bytes(ICON)?)
            .tooltip("Warden")
            .menu(&menu(app, &view)?)
            .show_menu_on_left_click(true)
            .on_menu_event(|app, event| match event.id().as_ref() {
                ID_OPEN => crate::single_instance::bring_to_front(app),
                ID_QUIT => {
                    info!("quit from the tray");
                    app.exit(0);
                }
                _ => {}
            })
            .build(app)
    }));
    match built {
        Ok(Ok(icon)) => Some(Tray { icon, shown: Mutex::new(Some(view)) }),
        Ok(Err(e)) => {
            warn!(error = %e, "no tray icon");
            None
        }
        Err(_) => {
            warn!("no tray icon: the AppIndicator library (libayatana-appindicator3-1) could not be loaded");
            None
        }
    }
}

impl Tray {
    /// Shows `view` (rebuilding the menu only when it changed).
    pub fn show(&self, app: &AppHandle, view: &TrayView) {
        let mut shown = self.shown.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if shown.as_ref() == Some(view) {
            return;
        }
        let count = (view.pending_approvals > 0).then(|| view.pending_approvals.to_string());
        let tooltip = lines(view).join("\n");
        let result = menu(app, view)
            .and_then(|m| self.icon.set_menu(Some(m)))
            .and_then(|()| self.icon.set_title(count.as_deref()))
            .and_then(|()| self.icon.set_tooltip(Some(format!("Warden\n{tooltip}"))));
        match result {
            Ok(()) => *shown = Some(view.clone()),
            Err(e) => warn!(error = %e, "could not update the tray"),
        }
    }
}

/// The tray of `app`, if it has one.
pub fn of(app: &AppHandle) -> Option<tauri::State<'_, Tray>> {
    app.try_state::<Tray>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_what_waits_and_what_expires() {
        assert_eq!(lines(&TrayView::default()), ["No approval waiting", "No session expires within the hour"]);
        let view = TrayView { pending_approvals: 1, expiring: vec![("bot".into(), 61), ("feed".into(), 1800)] };
        assert_eq!(lines(&view), ["1 approval waiting", "“bot” expires in 1 min", "“feed” expires in 30 min"]);
    }
}
