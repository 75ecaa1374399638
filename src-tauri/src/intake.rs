//! Permission requests handed to the app from outside: a `warden://request?d=…` link the
//! desktop opens Warden with (the installed desktop entry registers the `warden` scheme and
//! passes the link as the argument), or the path of a `*.warden-request.json` file. Either
//! arrives as an argument of the first launch or of a later one, which the single instance
//! hands over to the running app. It is kept here until the main window takes it (it may
//! not have loaded yet) and announced with `request-incoming`; the UI then opens it exactly
//! as if it had been pasted (`request_open`, which checks everything). Nothing here trusts
//! the text: it is only carried, bounded in size.
//!
//! Left out: more than one waiting request (a newer one replaces an older one not yet
//! taken), and other URL schemes or paths (ignored, and logged).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tauri::{AppHandle, Emitter, Runtime};
use tracing::{info, warn};
use warden_core::request::{LINK_PREFIX, MAX_REQUEST_BYTES};

use crate::error::AppError;

/// Event: a request was handed to the app; the main window takes it with
/// `request_take_incoming`.
pub const REQUEST_INCOMING_EVENT: &str = "request-incoming";

/// The file name ending a request document opened with Warden has.
pub const REQUEST_FILE_SUFFIX: &str = ".warden-request.json";

/// What was handed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A `warden://request?d=…` link.
    Link(String),
    /// A request document's path.
    File(PathBuf),
}

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
            return Some(Incoming::File(cwd.join(arg)));
        }
        if arg.starts_with("warden:") {
            warn!("ignored a warden: argument that is not a request link");
        }
    }
    None
}

/// The request handed over and not yet taken.
#[derive(Debug, Default)]
pub struct Intake {
    pending: Mutex<Option<Incoming>>,
}

impl Intake {
    /// Keeps `incoming` (replacing one not taken yet) and tells the main window.
    pub fn hand_over<R: Runtime>(&self, app: &AppHandle<R>, incoming: Incoming) {
        info!(
            kind = match &incoming {
                Incoming::Link(_) => "link",
                Incoming::File(_) => "file",
            },
            "a permission request was handed to the app"
        );
        *self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(incoming);
        let _ = app.emit(REQUEST_INCOMING_EVENT, ());
    }

    /// The waiting request's text (a link, or the file's content), taken once.
    pub fn take(&self) -> Result<Option<String>, AppError> {
        let taken = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        match taken {
            None => Ok(None),
            Some(Incoming::Link(link)) => Ok(Some(link)),
            Some(Incoming::File(path)) => read_capped(&path).map(Some),
        }
    }
}

/// Reads at most a request's size limit (one byte more, so that an oversized file is
/// refused as such rather than cut).
pub fn read_capped(path: &Path) -> Result<String, AppError> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::invalid_input(format!("{} cannot be read: {e}", path.display())))?;
    let mut bytes = Vec::new();
    file.take(MAX_REQUEST_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| AppError::invalid_input(format!("{} cannot be read: {e}", path.display())))?;
    if bytes.len() > MAX_REQUEST_BYTES {
        return Err(AppError::invalid_input(format!(
            "{} is larger than a request may be ({MAX_REQUEST_BYTES} bytes)",
            path.display()
        )));
    }
    String::from_utf8(bytes).map_err(|_| AppError::invalid_input(format!("{} is not UTF-8 text", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

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
        // The program's own name is never taken for a request.
        assert_eq!(from_args(&["warden://request?d=x".to_owned()], cwd), None);
        // A huge link is carried bounded, for request_open to refuse as too large.
        let huge = format!("warden://request?d={}", "A".repeat(MAX_REQUEST_BYTES * 4));
        let Some(Incoming::Link(kept)) = from_args(&args(&[&huge]), cwd) else { panic!("a link") };
        assert_eq!(kept.len(), MAX_REQUEST_BYTES * 2);
    }

    #[test]
    fn a_request_file_is_read_bounded_and_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.warden-request.json");
        std::fs::write(&path, "{\"format\":\"warden.request.v1\"}").unwrap();
        let intake = Intake::default();
        *intake.pending.lock().unwrap() = Some(Incoming::File(path.clone()));
        assert_eq!(intake.take().unwrap().as_deref(), Some("{\"format\":\"warden.request.v1\"}"));
        assert_eq!(intake.take().unwrap(), None, "taken once");

        std::fs::write(&path, vec![b' '; MAX_REQUEST_BYTES + 1]).unwrap();
        let e = read_capped(&path).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("larger than a request may be"), "{}", e.message);
        let e = read_capped(&dir.path().join("missing.warden-request.json")).unwrap_err();
        assert!(e.message.contains("cannot be read"), "{}", e.message);
    }
}
