//! One running app per keychain namespace: a second launch hands over to the first
//! (`tauri-plugin-single-instance`, registered in `lib.rs`), which brings its main window to
//! the front, and then exits 0. Two instances would otherwise run two devnets on one state
//! folder and two writers of one session list.
//!
//! On Linux the plugin claims a D-Bus name on the session bus. The name carries the keychain
//! namespace, so side-by-side setups that already keep their keys apart (a debug build, each
//! real-app test) are separate instances too. A second launch opened with a permission
//! request (a `warden://request` link or a request file) hands it over too ([`crate::intake`]).

use std::path::Path;

use tauri::{AppHandle, Manager, Runtime};
use tracing::{info, warn};
use warden_keychain::Namespace;

/// The D-Bus id the plugin registers `<id>.SingleInstance` under: the bundle identifier
/// and the namespace as one more name element (letters, digits and `_` only, as D-Bus
/// requires).
pub fn dbus_id(identifier: &str, namespace: &Namespace) -> String {
    let element: String = namespace.as_str().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{identifier}.ns_{element}")
}

/// What the running app does when another launch hands over: comes to the front, and
/// takes the permission request the launch was opened with, if any.
pub fn handed_over<R: Runtime>(app: &AppHandle<R>, argv: &[String], cwd: &str) {
    bring_to_front(app);
    if let Some(incoming) = crate::intake::from_args(argv, Path::new(cwd))
        && let Some(state) = app.try_state::<crate::state::AppState>()
    {
        crate::intake::hand_over(&state.intake, app, incoming);
    }
}

/// Shows, unminimizes and focuses the main window.
pub fn bring_to_front<R: Runtime>(app: &AppHandle<R>) {
    info!("another launch handed over: bringing the main window to the front");
    let Some(window) = app.get_webview_window("main") else {
        warn!("another launch handed over, but the main window is gone");
        return;
    };
    for (what, result) in [("show", window.show()), ("unminimize", window.unminimize()), ("focus", window.set_focus())]
    {
        if let Err(e) = result {
            warn!(error = %e, "could not {what} the main window");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_id_is_a_valid_dbus_name_per_namespace() {
        let release = dbus_id("dev.warden.Warden", &Namespace::new("dev.warden.app").unwrap());
        assert_eq!(release, "dev.warden.Warden.ns_dev_warden_app");
        let test = dbus_id("dev.warden.Warden", &Namespace::new("dev.warden.e2e.first-launch.4242").unwrap());
        assert_eq!(test, "dev.warden.Warden.ns_dev_warden_e2e_first_launch_4242");
        for id in [release, test] {
            let name = format!("{id}.SingleInstance");
            assert!(name.len() <= 255);
            for element in name.split('.') {
                assert!(!element.is_empty() && !element.starts_with(|c: char| c.is_ascii_digit()), "{name}");
                assert!(element.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{name}");
            }
        }
    }
}
