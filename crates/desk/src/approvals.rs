//! Pending approvals: a grant the endpoint prepared and Warden checked, waiting for the
//! person's answer in the approval window.
//!
//! An approval is single-use and lives [`APPROVAL_TTL_SECS`]: it is approved once, or
//! rejected, or expires; answering it again, answering an unknown or expired one, or
//! approving one whose grant did not verify is refused with its own code. One approval is
//! open at a time (the approval window shows one). While the owner signs, the approval is
//! taken out ("signing") so a second approve cannot race the first; a failed signature (a
//! locked keychain, say) puts it back so the person can try again.
//!
//! This module holds no Tauri types, so its rules are unit-tested directly; [`crate::grant`]
//! wires it to the keychain, the records and the shell's windows and events.

use std::collections::HashMap;
use std::sync::Mutex;

use alloy_primitives::Address;
use warden_core::grant::PendingGrant;

use crate::error::{AppError, ErrorCode};
use crate::payloads::sessions::{ApprovalOutcome, ApprovalView};
use crate::store::EndpointRef;

/// How long an approval may wait for its answer.
pub const APPROVAL_TTL_SECS: u64 = 300;

/// The label of the approval window; only it answers approvals.
pub const APPROVAL_WINDOW: &str = "approval";

/// Everything an approval needs once answered.
#[derive(Debug)]
pub struct PendingApproval {
    pub view: ApprovalView,
    /// The verified grant; `None` when verification failed (it can only be rejected).
    pub grant: Option<PendingGrant>,
    pub label: String,
    /// The session key Warden generated for this grant (deleted if it is not approved).
    pub generated_key: Option<Address>,
    pub endpoint: EndpointRef,
    /// The label of the window that shows it.
    pub window: String,
    /// The server's permission request this grant answers, if any.
    pub request: Option<warden_core::request::SessionRequest>,
}

#[derive(Debug)]
enum Slot {
    Open(Box<PendingApproval>),
    Signing,
    Finished(ApprovalOutcome),
}

/// The app's approvals, open and answered.
#[derive(Debug, Default)]
pub struct Approvals {
    slots: Mutex<HashMap<String, Slot>>,
}

fn unknown(id: &str) -> AppError {
    AppError::new(ErrorCode::ApprovalUnknown, format!("there is no approval {id}; start the grant again"))
}

fn used(id: &str, outcome: ApprovalOutcome) -> AppError {
    let how = match outcome {
        ApprovalOutcome::Approved => "approved",
        ApprovalOutcome::Rejected => "rejected",
        ApprovalOutcome::Expired => "expired",
    };
    let code = if outcome == ApprovalOutcome::Expired { ErrorCode::ApprovalExpired } else { ErrorCode::ApprovalUsed };
    AppError::new(code, format!("approval {id} was already {how}; an approval is answered once"))
}

fn expired(id: &str) -> AppError {
    AppError::new(
        ErrorCode::ApprovalExpired,
        format!("approval {id} expired ({APPROVAL_TTL_SECS} s to answer); nothing was signed: start the grant again"),
    )
}

impl Approvals {
    fn slots(&self) -> std::sync::MutexGuard<'_, HashMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers a new approval at time `now`. Refused while another one is open and not
    /// expired (the person answers one grant at a time).
    pub fn open(&self, approval: PendingApproval, now: u64) -> Result<(), AppError> {
        let mut slots = self.slots();
        let busy = slots.values().any(|s| match s {
            Slot::Open(a) => a.view.valid_until > now,
            Slot::Signing => true,
            Slot::Finished(_) => false,
        });
        if busy {
            return Err(AppError::invalid_input(
                "another grant is waiting for approval: answer it in the approval window first",
            ));
        }
        slots.insert(approval.view.approval_id.clone(), Slot::Open(Box::new(approval)));
        Ok(())
    }

    /// The open approval the window should show, if any (an expired one is not shown).
    pub fn pending_view(&self, now: u64) -> Option<ApprovalView> {
        self.slots().values().find_map(|s| match s {
            Slot::Open(a) if a.view.valid_until > now => Some(a.view.clone()),
            _ => None,
        })
    }

    /// The id and session label of the approval waiting for an answer, if any (for the
    /// tray and the "approval waiting" notification).
    pub fn waiting(&self, now: u64) -> Option<(String, String)> {
        self.slots().values().find_map(|s| match s {
            Slot::Open(a) if a.view.valid_until > now => Some((a.view.approval_id.clone(), a.label.clone())),
            _ => None,
        })
    }

    /// Takes approval `id` out for signing, refusing an unknown, answered, expired or
    /// unverified one. Answer with [`Self::finish`] or [`Self::put_back`].
    pub fn begin_approve(&self, id: &str, now: u64) -> Result<Box<PendingApproval>, AppError> {
        let mut slots = self.slots();
        match slots.get(id) {
            None => return Err(unknown(id)),
            Some(Slot::Signing) => {
                return Err(AppError::new(ErrorCode::ApprovalUsed, format!("approval {id} is being signed already")));
            }
            Some(Slot::Finished(outcome)) => return Err(used(id, *outcome)),
            Some(Slot::Open(a)) if a.view.valid_until <= now => return Err(expired(id)),
            Some(Slot::Open(a)) if a.grant.is_none() || !a.view.verified => {
                return Err(AppError::new(
                    ErrorCode::NotVerified,
                    "the endpoint's grant does not match what you asked for, so it cannot be approved: reject it",
                ));
            }
            Some(Slot::Open(_)) => {}
        }
        match slots.insert(id.to_owned(), Slot::Signing) {
            Some(Slot::Open(a)) => Ok(a),
            _ => Err(AppError::internal("the approval changed while it was taken out")),
        }
    }

    /// Records how a taken-out approval ended.
    pub fn finish(&self, id: &str, outcome: ApprovalOutcome) {
        self.slots().insert(id.to_owned(), Slot::Finished(outcome));
    }

    /// Puts back an approval whose signing failed, so it can be answered again.
    pub fn put_back(&self, approval: Box<PendingApproval>) {
        let id = approval.view.approval_id.clone();
        self.slots().insert(id, Slot::Open(approval));
    }

    /// Rejects approval `id` (an unverified one too).
    pub fn reject(&self, id: &str, now: u64) -> Result<Box<PendingApproval>, AppError> {
        let mut slots = self.slots();
        match slots.get(id) {
            None => Err(unknown(id)),
            Some(Slot::Signing) => {
                Err(AppError::new(ErrorCode::ApprovalUsed, format!("approval {id} is being signed already")))
            }
            Some(Slot::Finished(outcome)) => Err(used(id, *outcome)),
            Some(Slot::Open(a)) if a.view.valid_until <= now => Err(expired(id)),
            Some(Slot::Open(_)) => match slots.insert(id.to_owned(), Slot::Finished(ApprovalOutcome::Rejected)) {
                Some(Slot::Open(a)) => Ok(a),
                _ => Err(AppError::internal("the approval changed while it was rejected")),
            },
        }
    }

    /// Ends every open approval whose time is up at `now`, returning them for clean-up.
    pub fn expire_due(&self, now: u64) -> Vec<Box<PendingApproval>> {
        let mut slots = self.slots();
        let due: Vec<String> = slots
            .iter()
            .filter(|(_, s)| matches!(s, Slot::Open(a) if a.view.valid_until <= now))
            .map(|(id, _)| id.clone())
            .collect();
        due.into_iter()
            .filter_map(|id| match slots.insert(id, Slot::Finished(ApprovalOutcome::Expired)) {
                Some(Slot::Open(a)) => Some(a),
                _ => None,
            })
            .collect()
    }

    /// Rejects what window `label` shows (it was closed without an answer).
    pub fn reject_window(&self, label: &str) -> Vec<Box<PendingApproval>> {
        let mut slots = self.slots();
        let open: Vec<String> = slots
            .iter()
            .filter(|(_, s)| matches!(s, Slot::Open(a) if a.window == label))
            .map(|(id, _)| id.clone())
            .collect();
        open.into_iter()
            .filter_map(|id| match slots.insert(id, Slot::Finished(ApprovalOutcome::Rejected)) {
                Some(Slot::Open(a)) => Some(a),
                _ => None,
            })
            .collect()
    }
}

/// Refuses an answer that does not come from the approval window. The capability files
/// already allow the approval commands only there; this is the second lock.
pub fn ensure_approval_window(label: &str) -> Result<(), AppError> {
    if label == APPROVAL_WINDOW {
        Ok(())
    } else {
        Err(AppError::invalid_input(format!("approvals are answered in the approval window, not in window {label:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payloads::AccountType;
    use crate::store::EndpointKind;

    const NOW: u64 = 1_800_000_000;

    fn approval(id: &str, verified: bool) -> PendingApproval {
        PendingApproval {
            view: ApprovalView {
                approval_id: id.into(),
                account: "0x65b5DE0251f553B2208762a4724303E750294D96".into(),
                account_type: AccountType::SmaB,
                chain_id: 31337,
                chain_name: "Local devnet".into(),
                currency: crate::payloads::Currency::of_chain(31337),
                session_key: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8".into(),
                key_held_by_warden: true,
                requested_by: None,
                expiry_sec: Some(NOW + 3600),
                permissions: vec![],
                risks: vec![],
                entity_id: Some(1),
                verified,
                mismatches: vec![],
                digest: String::new(),
                valid_until: NOW + APPROVAL_TTL_SECS,
            },
            // A verified grant needs a real endpoint answer; these tests exercise the
            // bookkeeping, so "verified" ones have no grant and are refused as such below.
            grant: None,
            label: "bot".into(),
            generated_key: None,
            endpoint: EndpointRef { kind: EndpointKind::Devnet, host: "127.0.0.1:1".into() },
            window: format!("approval-{id}"),
            request: None,
        }
    }

    #[test]
    fn unknown_and_answered_approvals_are_refused_with_their_codes() {
        let a = Approvals::default();
        assert_eq!(a.begin_approve("nope", NOW).unwrap_err().code, ErrorCode::ApprovalUnknown);
        assert_eq!(a.reject("nope", NOW).unwrap_err().code, ErrorCode::ApprovalUnknown);
        a.open(approval("one", false), NOW).unwrap();
        assert!(a.reject("one", NOW).is_ok());
        assert_eq!(a.reject("one", NOW).unwrap_err().code, ErrorCode::ApprovalUsed);
        assert_eq!(a.begin_approve("one", NOW).unwrap_err().code, ErrorCode::ApprovalUsed);
        assert!(a.pending_view(NOW).is_none());
    }

    #[test]
    fn an_unverified_grant_cannot_be_approved_only_rejected() {
        let a = Approvals::default();
        a.open(approval("bad", false), NOW).unwrap();
        assert_eq!(a.begin_approve("bad", NOW).unwrap_err().code, ErrorCode::NotVerified);
        // Still open: the refusal did not consume it.
        assert_eq!(a.pending_view(NOW).unwrap().approval_id, "bad");
        assert!(a.reject("bad", NOW).is_ok());
    }

    #[test]
    fn approvals_expire_and_are_then_refused() {
        let a = Approvals::default();
        a.open(approval("late", true), NOW).unwrap();
        let later = NOW + APPROVAL_TTL_SECS;
        assert!(a.pending_view(later).is_none());
        assert_eq!(a.begin_approve("late", later).unwrap_err().code, ErrorCode::ApprovalExpired);
        assert_eq!(a.reject("late", later).unwrap_err().code, ErrorCode::ApprovalExpired);
        let swept = a.expire_due(later);
        assert_eq!(swept.len(), 1);
        assert!(a.expire_due(later).is_empty(), "swept once");
        assert_eq!(a.begin_approve("late", later).unwrap_err().code, ErrorCode::ApprovalExpired);
        // With the old one expired, a new grant may open.
        a.open(approval("next", true), later).unwrap();
    }

    #[test]
    fn one_open_approval_at_a_time_and_a_closed_window_rejects_it() {
        let a = Approvals::default();
        a.open(approval("first", true), NOW).unwrap();
        assert_eq!(a.open(approval("second", true), NOW).unwrap_err().code, ErrorCode::InvalidInput);
        assert!(a.reject_window("approval-other").is_empty(), "another window's closing changes nothing");
        let closed = a.reject_window("approval-first");
        assert_eq!(closed.len(), 1);
        assert_eq!(a.reject("first", NOW).unwrap_err().code, ErrorCode::ApprovalUsed);
        a.open(approval("second", true), NOW).unwrap();
    }

    #[test]
    fn a_signing_approval_cannot_be_answered_twice_and_can_be_put_back() {
        let a = Approvals::default();
        a.open(approval("s", true), NOW).unwrap();
        // Force the taken-out path: mark the grant as present by swapping in the slot.
        let taken = {
            let mut slots = a.slots();
            match slots.insert("s".into(), Slot::Signing) {
                Some(Slot::Open(x)) => x,
                _ => unreachable!(),
            }
        };
        assert_eq!(a.begin_approve("s", NOW).unwrap_err().code, ErrorCode::ApprovalUsed);
        assert_eq!(a.reject("s", NOW).unwrap_err().code, ErrorCode::ApprovalUsed);
        a.put_back(taken);
        assert_eq!(a.pending_view(NOW).unwrap().approval_id, "s");
        a.finish("s", ApprovalOutcome::Approved);
        assert_eq!(a.begin_approve("s", NOW).unwrap_err().code, ErrorCode::ApprovalUsed);
    }

    #[test]
    fn only_the_approval_window_answers() {
        assert!(ensure_approval_window("approval").is_ok());
        for other in ["main", "approval-1", "Approval", "approval ", ""] {
            assert_eq!(ensure_approval_window(other).unwrap_err().code, ErrorCode::InvalidInput, "{other}");
        }
    }
}
