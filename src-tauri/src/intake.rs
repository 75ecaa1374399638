//! A permission request a launch carries: a `warden://request?d=…` link the desktop opens
//! Warden with, or the path of a `*.warden-request.json` file, as an argument of the first
//! launch or of a later one that the single instance hands over. Read from the arguments
//! here, because they are the shell's; then queued in the desk's `Intake`
//! (`warden_desk::intake`) and announced with `request-incoming`, so the main window takes
//! it and opens it as if it had been pasted. Nothing here trusts the text: it is only
//! carried, bounded in size.
//!
//! Left out: other URL schemes or paths (ignored, and logged).

use std::path::Path;

use tauri::{AppHandle, Emitter, Runtime};
use tracing::{info, warn};
use warden_core::request::{LINK_PREFIX, MAX_REQUEST_BYTES};
use warden_desk::intake::{Incoming, Intake, REQUEST_FILE_SUFFIX, REQUEST_INCOMING_EVENT};

/// The request in `args` (a launch's arguments, the program first), if any; a relative
/// path is taken relative to `cwd`, the launching process's folder.
pub fn from_args(args: &[String], cwd: &Path) -> Option<Incoming> {
    for arg in args.iter().skip(1) {
        let arg = arg.trim();
        if arg.starts_with(LINK_PREFIX) {
            // Larger than any request's link: left for request_open to refuse as too large.
            return Some(Incoming::Link(arg.chars().take(MAX_REQUEST_BYTES * 2).collect()));
        }
        if arg.ends_with(REQUEST_FILE_SUFFIX) {
            // The desktop may pass a file as a file: URL (the entry's %u) or as a path.
            if arg.starts_with("file:") {
                match tauri::Url::parse(arg).ok().and_then(|u| u.to_file_path().ok()) {
                    Some(path) => return Some(Incoming::File(path)),
                    None => {
                        warn!("ignored a file: argument that is not a local file");
                        continue;
                    }
                }
            }
            return Some(Incoming::File(cwd.join(arg)));
        }
        if arg.starts_with("warden:") {
            warn!("ignored a warden: argument that is not a request link");
        }
    }
    None
}

/// Queues `incoming` in `intake` and tells the main window.
pub fn hand_over<R: Runtime>(intake: &Intake, app: &AppHandle<R>, incoming: Incoming) {
    match intake.queue(incoming) {
        Ok(kind) => {
            info!(kind, "a permission request was handed to the app");
            let _ = app.emit(REQUEST_INCOMING_EVENT, ());
        }
        Err(reason) => warn!(%reason, "a permission request handed to the app was not queued"),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        std::iter::once("warden-app").chain(list.iter().copied()).map(str::to_owned).collect()
    }

    #[test]
    fn a_link_or_a_request_file_is_found_among_the_arguments() {
        let cwd = Path::new("/home/you");
        assert_eq!(from_args(&args(&[]), cwd), None);
        assert_eq!(from_args(&args(&["--verbose", "other.json", "warden://settings"]), cwd), None);
        assert_eq!(
            from_args(&args(&["warden://request?d=eyJ9"]), cwd),
            Some(Incoming::Link("warden://request?d=eyJ9".into()))
        );
        assert_eq!(
            from_args(&args(&["bot.warden-request.json"]), cwd),
            Some(Incoming::File(PathBuf::from("/home/you/bot.warden-request.json")))
        );
        assert_eq!(
            from_args(&args(&["/tmp/a.warden-request.json"]), cwd),
            Some(Incoming::File(PathBuf::from("/tmp/a.warden-request.json")))
        );
        assert_eq!(
            from_args(&args(&["file:///tmp/my%20bot.warden-request.json"]), cwd),
            Some(Incoming::File(PathBuf::from("/tmp/my bot.warden-request.json")))
        );
        assert_eq!(from_args(&args(&["file://host.example/x.warden-request.json"]), cwd), None);
        // The program's own name is never taken for a request.
        assert_eq!(from_args(&["warden://request?d=x".to_owned()], cwd), None);
        // A huge link is carried bounded, for request_open to refuse as too large.
        let huge = format!("warden://request?d={}", "A".repeat(MAX_REQUEST_BYTES * 4));
        let Some(Incoming::Link(kept)) = from_args(&args(&[&huge]), cwd) else { panic!("a link") };
        assert_eq!(kept.len(), MAX_REQUEST_BYTES * 2);
    }
}
