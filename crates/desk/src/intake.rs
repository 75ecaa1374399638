//! Permission requests handed to the app from outside: a `warden://request?d=…` link the
//! desktop opens Warden with (the installed desktop entry registers the `warden` scheme and
//! passes the link as the argument), or the path of a `*.warden-request.json` file. Either
//! arrives as an argument of the first launch or of a later one, which the single instance
//! hands over to the running app. It is kept here until the main window takes it (it may
//! not have loaded yet) and announced with `request-incoming`; the UI then opens it exactly
//! as if it had been pasted (`request_open`, which checks everything). Nothing here trusts
//! the text: it is only carried, bounded in size.
//!
//! The loopback intake ([`crate::loopback_intake`]) queues documents here too. Requests wait
//! in arrival order, at most [`MAX_WAITING`], each id once.
//!
//! This is the queue; reading a launch's arguments (and handing what they carry over to
//! this queue) is the shell's, in `src-tauri/src/intake.rs`.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use warden_core::request::MAX_REQUEST_BYTES;

use crate::error::AppError;

/// Event: a request was handed to the app; the main window takes it with
/// `request_take_incoming`.
pub const REQUEST_INCOMING_EVENT: &str = "request-incoming";

/// Requests waiting at most; more are refused until the person looks at them.
pub const MAX_WAITING: usize = 16;

/// The file name ending a request document opened with Warden has.
pub const REQUEST_FILE_SUFFIX: &str = ".warden-request.json";

/// What was handed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Incoming {
    /// A `warden://request?d=…` link.
    Link(String),
    /// A request document's path.
    File(PathBuf),
    /// A request document a server sent to the loopback intake, already checked once.
    Document { id: String, text: String },
}

/// The requests handed over and not yet taken, oldest first.
#[derive(Debug, Default)]
pub struct Intake {
    pending: Mutex<VecDeque<Incoming>>,
}

impl Intake {
    /// Queues `incoming`, refusing an id already waiting and a full queue; says what it was.
    pub fn queue(&self, incoming: Incoming) -> Result<&'static str, String> {
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Incoming::Document { id, .. } = &incoming
            && pending.iter().any(|p| matches!(p, Incoming::Document { id: other, .. } if other == id))
        {
            return Err(format!("request {id} is already waiting for the owner"));
        }
        if pending.len() >= MAX_WAITING {
            return Err(format!("{MAX_WAITING} requests are already waiting for the owner; try again later"));
        }
        let kind = match &incoming {
            Incoming::Link(_) => "link",
            Incoming::File(_) => "file",
            Incoming::Document { .. } => "loopback",
        };
        pending.push_back(incoming);
        Ok(kind)
    }

    /// The oldest waiting request's text (a link, a document, or a file's content), taken once.
    pub fn take(&self) -> Result<Option<String>, AppError> {
        let taken = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop_front();
        match taken {
            None => Ok(None),
            Some(Incoming::Link(link)) => Ok(Some(link)),
            Some(Incoming::Document { text, .. }) => Ok(Some(text)),
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

    #[test]
    fn a_request_file_is_read_bounded_and_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.warden-request.json");
        std::fs::write(&path, "{\"format\":\"warden.request.v1\"}").unwrap();
        let intake = Intake::default();
        intake.queue(Incoming::File(path.clone())).unwrap();
        assert_eq!(intake.take().unwrap().as_deref(), Some("{\"format\":\"warden.request.v1\"}"));
        assert_eq!(intake.take().unwrap(), None, "taken once");

        std::fs::write(&path, vec![b' '; MAX_REQUEST_BYTES + 1]).unwrap();
        let e = read_capped(&path).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("larger than a request may be"), "{}", e.message);
        let e = read_capped(&dir.path().join("missing.warden-request.json")).unwrap_err();
        assert!(e.message.contains("cannot be read"), "{}", e.message);
    }

    #[test]
    fn requests_wait_in_order_each_id_once_and_not_too_many() {
        let intake = Intake::default();
        let doc = |id: &str| Incoming::Document { id: id.into(), text: format!("doc {id}") };
        assert_eq!(intake.queue(Incoming::Link("warden://request?d=a".into())), Ok("link"));
        assert_eq!(intake.queue(doc("1")), Ok("loopback"));
        assert!(intake.queue(doc("1")).unwrap_err().contains("already waiting"));
        for i in 2..MAX_WAITING {
            intake.queue(doc(&i.to_string())).unwrap();
        }
        assert!(intake.queue(doc("x")).unwrap_err().contains("already waiting for the owner; try again later"));
        assert_eq!(intake.take().unwrap().as_deref(), Some("warden://request?d=a"));
        assert_eq!(intake.take().unwrap().as_deref(), Some("doc 1"));
        assert_eq!(intake.queue(doc("1")), Ok("loopback"), "taken: it may come again (request_open refuses replays)");
    }
}
