//! The permission requests the app has opened (`warden_core::request`): kept by id from the
//! moment one is opened until it is answered, so the grant, the approval and the answer all
//! refer to the request as it was checked, never to a copy the UI sends back.
//!
//! A request is single use: opening one this owner answered before (in the app or with
//! `warden approve`; both keep the ids in `answered-requests.json` in the config folder) is
//! refused, and an answer is recorded before it is sent. An answer that could not be
//! delivered stays here (its JSON: no key in plaintext, a generated key is sealed to the
//! server) so that it can be sent again. Left out: keeping open requests across restarts
//! (the server's request document can be opened again).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use warden_core::api::UuidV4;
use warden_core::request::{AnsweredRequests, SessionRequest};

use crate::error::{AppError, ErrorCode};

/// The ids of answered requests, in the config folder, shared with `warden approve`.
pub const ANSWERED_REQUESTS_FILE: &str = "answered-requests.json";

/// The opened requests and the answers waiting for delivery.
#[derive(Debug)]
pub struct Requests {
    answered_path: PathBuf,
    open: Mutex<HashMap<UuidV4, SessionRequest>>,
    undelivered: Mutex<HashMap<UuidV4, (SessionRequest, String)>>,
}

impl Requests {
    /// Requests whose answered ids live in `config_dir`.
    pub fn new(config_dir: PathBuf) -> Self {
        Self {
            answered_path: config_dir.join(ANSWERED_REQUESTS_FILE),
            open: Mutex::new(HashMap::new()),
            undelivered: Mutex::new(HashMap::new()),
        }
    }

    /// Checks a request document or `warden://request?d=…` link at `now`, refuses one
    /// already answered, and keeps it open.
    pub fn open(&self, text: &str, now: u64) -> Result<SessionRequest, AppError> {
        let request = SessionRequest::parse_link_or_document(text, now).map_err(|e| AppError::coded(&e))?;
        self.answered()?.check_new(&request).map_err(|e| AppError::coded(&e))?;
        lock(&self.open).insert(request.request_id, request.clone());
        Ok(request)
    }

    /// The open request `id`, checked again at `now` (it may have expired since).
    pub fn get(&self, id: &str, now: u64) -> Result<SessionRequest, AppError> {
        let id = parse_request_id(id)?;
        let request = lock(&self.open).get(&id).cloned().ok_or_else(|| {
            AppError::new(ErrorCode::InvalidInput, format!("request {id} is not open here; open its document again"))
        })?;
        request.check(now).map_err(|e| AppError::coded(&e))?;
        self.answered()?.check_new(&request).map_err(|e| AppError::coded(&e))?;
        Ok(request)
    }

    /// Records `request` as answered (before the answer is sent) and closes it.
    pub fn mark_answered(&self, request: &SessionRequest, now: u64) -> Result<(), AppError> {
        self.answered()?.record(request, now, &self.answered_path).map_err(|e| AppError::coded(&e))?;
        lock(&self.open).remove(&request.request_id);
        Ok(())
    }

    /// Keeps an answer that was not delivered, to be sent again.
    pub fn keep_undelivered(&self, request: SessionRequest, answer_json: String) {
        lock(&self.undelivered).insert(request.request_id, (request, answer_json));
    }

    /// The undelivered answer to request `id`, taken out (put it back if it fails again).
    pub fn take_undelivered(&self, id: &str) -> Result<(SessionRequest, String), AppError> {
        let id = parse_request_id(id)?;
        lock(&self.undelivered)
            .remove(&id)
            .ok_or_else(|| AppError::invalid_input(format!("no answer to request {id} is waiting to be sent")))
    }

    /// The undelivered answer to request `id`, left waiting (for delivery by hand).
    pub fn peek_undelivered(&self, id: &str) -> Result<(SessionRequest, String), AppError> {
        let id = parse_request_id(id)?;
        lock(&self.undelivered)
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::invalid_input(format!("no answer to request {id} is waiting to be sent")))
    }

    fn answered(&self) -> Result<AnsweredRequests, AppError> {
        AnsweredRequests::load(&self.answered_path).map_err(|e| AppError::coded(&e))
    }
}

fn parse_request_id(id: &str) -> Result<UuidV4, AppError> {
    id.parse().map_err(|_| AppError::invalid_input(format!("{id:?} is not a request id (a UUID v4)")))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use warden_core::permissions::Permission;
    use warden_core::request::{NewRequest, RequestedSigner};

    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn request() -> SessionRequest {
        SessionRequest::new(
            NewRequest {
                name: "Feed bot".into(),
                justification: "posts prices".into(),
                chain_id: 31337,
                permissions: vec![Permission::ContractAccess { address: alloy_primitives::Address::repeat_byte(9) }],
                expiry: 3600,
                is_adjustment_allowed: true,
                signer: RequestedSigner::Address { address: alloy_primitives::Address::repeat_byte(7) },
                answer_to: "http://127.0.0.1:9/answer".into(),
                valid_for: 600,
            },
            NOW,
        )
        .unwrap()
    }

    #[test]
    fn a_request_is_answered_once_and_survives_as_an_id_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let requests = Requests::new(dir.path().to_owned());
        let r = request();
        let opened = requests.open(&r.link(), NOW).unwrap();
        assert_eq!(opened, r);
        let id = r.request_id.to_string();
        assert_eq!(requests.get(&id, NOW).unwrap(), r);
        requests.mark_answered(&r, NOW).unwrap();
        assert_eq!(requests.get(&id, NOW).unwrap_err().code, ErrorCode::InvalidInput, "closed once answered");
        // Another run of the app (or `warden approve`) refuses it as a replay.
        let again = Requests::new(dir.path().to_owned()).open(&r.to_json(), NOW).unwrap_err();
        assert_eq!(again.code, ErrorCode::VerificationFailed);
        assert!(again.message.contains("already answered"), "{}", again.message);
    }

    #[test]
    fn an_open_request_that_expires_is_refused_when_used() {
        let dir = tempfile::tempdir().unwrap();
        let requests = Requests::new(dir.path().to_owned());
        let r = requests.open(&request().to_json(), NOW).unwrap();
        let late = requests.get(&r.request_id.to_string(), NOW + 601 + 300).unwrap_err();
        assert_eq!(late.code, ErrorCode::VerificationFailed);
        assert!(late.message.contains("expired"), "{}", late.message);
        assert_eq!(requests.get("not-a-uuid", NOW).unwrap_err().code, ErrorCode::InvalidInput);
    }

    #[test]
    fn an_undelivered_answer_is_kept_until_taken() {
        let requests = Requests::new(PathBuf::from("/nonexistent"));
        let r = request();
        let id = r.request_id.to_string();
        assert!(requests.take_undelivered(&id).is_err());
        requests.keep_undelivered(r.clone(), "{}".into());
        assert_eq!(requests.peek_undelivered(&id).unwrap(), (r.clone(), "{}".into()), "peeking leaves it");
        assert_eq!(requests.take_undelivered(&id).unwrap(), (r, "{}".into()));
        assert!(requests.take_undelivered(&id).is_err(), "taken once");
    }
}
