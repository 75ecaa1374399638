//! Where the app's webviews may go: only the app's own origin.
//!
//! Both windows load the UI Warden embeds (`tauri://localhost`, or `http(s)://tauri.localhost`
//! where the platform serves custom protocols over http), or, in a build without the
//! embedded UI, the loopback dev server `tauri dev` runs. A link, a redirect or a script that
//! tries to take a window anywhere else is refused by [`guard`] (a plugin whose
//! `on_navigation` applies to every webview, the approval window included), so a page that
//! is not Warden's never gets the IPC bridge.
//!
//! A build without the embedded UI loads whatever answers on the dev server's port; it starts
//! only when asked to explicitly ([`DEV_UI_ENV`], which `npm run dev` in `src-tauri` sets),
//! never by accident from an installed or copied binary ([`check_embedded_ui`]).
//! Left out: opening refused links in the system browser (the UI has none to open).

use tauri::plugin::{Builder, TauriPlugin};
use tauri::{Runtime, Url};
use tracing::warn;

/// Set to `1` to run a build without the embedded UI against the dev server.
pub const DEV_UI_ENV: &str = "WARDEN_DEV_UI";

/// Whether this build serves the UI it embedded (the `custom-protocol` feature).
pub const EMBEDDED_UI: bool = cfg!(feature = "custom-protocol");

/// Whether a webview may navigate to `url`: the embedded UI's origin, and the dev server's
/// origin when there is one (`dev_url`, honoured only on loopback).
pub fn is_app_origin(url: &Url, dev_url: Option<&Url>) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" if url.host_str() == Some("tauri.localhost") => url.port().is_none(),
        _ => dev_url.is_some_and(|dev| {
            dev.origin() == url.origin() && matches!(dev.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
        }),
    }
}

/// The plugin that refuses every navigation away from the app's origin. `dev_url`: the dev
/// server, passed only by a build without the embedded UI (a release never follows it).
pub fn guard<R: Runtime>(dev_url: Option<Url>) -> TauriPlugin<R> {
    Builder::new("navigation-guard")
        .on_navigation(move |webview, url| {
            let allowed = is_app_origin(url, dev_url.as_ref());
            if !allowed {
                warn!(window = webview.label(), origin = %url.origin().ascii_serialization(), "navigation away from the app refused");
            }
            allowed
        })
        .build()
}

/// Refuses to start a build without the embedded UI unless [`DEV_UI_ENV`] asks for the dev
/// server; `env` reads the environment (injected for tests).
pub fn check_embedded_ui(env: impl Fn(&str) -> Option<String>) -> Result<(), String> {
    if EMBEDDED_UI || env(DEV_UI_ENV).as_deref() == Some("1") {
        return Ok(());
    }
    Err(format!(
        "this build of Warden has no embedded UI: it would load whatever answers on the dev server's port. \
         Build it with `--features custom-protocol` (scripts/run.sh does), or run it under `tauri dev` \
         with {DEV_UI_ENV}=1 (`npm run dev` in src-tauri)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn the_embedded_origin_is_allowed_and_nothing_else() {
        for ok in [
            "tauri://localhost/",
            "tauri://localhost/approval.html",
            "http://tauri.localhost/index.html",
            "https://tauri.localhost/",
        ] {
            assert!(is_app_origin(&url(ok), None), "{ok}");
        }
        for bad in [
            "https://example.com/",
            "http://127.0.0.1:5173/",
            "tauri://evil/",
            "http://tauri.localhost:8080/",
            "http://tauri.localhost.example.com/",
            "file:///etc/passwd",
            "data:text/html,<script>1</script>",
            "javascript:alert(1)",
            "about:blank",
        ] {
            assert!(!is_app_origin(&url(bad), None), "{bad}");
        }
    }

    #[test]
    fn the_dev_server_only_at_its_own_loopback_origin() {
        let dev = url("http://127.0.0.1:5173");
        assert!(is_app_origin(&url("http://127.0.0.1:5173/approval.html"), Some(&dev)));
        assert!(!is_app_origin(&url("http://127.0.0.1:5174/"), Some(&dev)));
        assert!(!is_app_origin(&url("https://127.0.0.1:5173/"), Some(&dev)));
        assert!(!is_app_origin(&url("http://example.com:5173/"), Some(&dev)));
        let remote_dev = url("http://192.168.1.2:5173");
        assert!(!is_app_origin(&url("http://192.168.1.2:5173/"), Some(&remote_dev)), "a dev server off this machine");
    }

    #[test]
    fn a_build_without_the_embedded_ui_needs_the_explicit_switch() {
        let unset = |_: &str| None;
        let set = |k: &str| (k == DEV_UI_ENV).then(|| "1".to_owned());
        assert!(check_embedded_ui(set).is_ok());
        if EMBEDDED_UI {
            assert!(check_embedded_ui(unset).is_ok());
        } else {
            let refused = check_embedded_ui(unset).unwrap_err();
            assert!(refused.contains("no embedded UI") && refused.contains(DEV_UI_ENV), "{refused}");
        }
    }
}
