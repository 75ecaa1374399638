//! What deserves the person's attention, decided from plain facts (sessions, the waiting
//! approval, the clock): the notifications to show, each at most once per app run, and what
//! the tray shows. No Tauri here, so the rules are tested directly.
//!
//! * a session that expires within [`EXPIRY_WINDOW_SECS`]: "expires in N min", once;
//! * a session that expired within the last [`EXPIRY_WINDOW_SECS`]: "has expired", once
//!   (an older expiry is old news);
//! * a call Warden sent through a session that failed, once per call; calls that had
//!   already failed when the app started are not announced again;
//! * an approval waiting for an answer, once per approval.
//!
//! A notification whose kind is switched off is still counted as seen, so switching it on
//! later does not replay the past. Revoked sessions never notify. Left out: remembering what
//! was announced across restarts (a session expiring within the hour is announced again
//! after a restart).

use std::collections::HashSet;

use warden_core::api::UuidV4;
use warden_desk::store::{SentCallState, SessionRecord};

use crate::settings::DesktopPrefs;

/// How far ahead an expiry counts as soon (and how long an expiry stays news).
pub const EXPIRY_WINDOW_SECS: u64 = 3600;

/// One thing announced.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Notice {
    Expiring(UuidV4),
    Expired(UuidV4),
    CallFailed(Vec<u8>),
    ApprovalWaiting(String),
}

/// A notification to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    pub notice: Notice,
    pub title: String,
    pub body: String,
}

/// What the tray shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TrayView {
    /// Approvals waiting for an answer (0 or 1: one grant is answered at a time).
    pub pending_approvals: usize,
    /// Sessions expiring within the window: (label, seconds left), soonest first.
    pub expiring: Vec<(String, u64)>,
}

/// The facts the watcher looks at.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub sessions: Vec<SessionRecord>,
    /// The waiting approval: (id, session label).
    pub approval: Option<(String, String)>,
}

/// What the watcher remembers between looks.
#[derive(Debug, Default)]
pub struct Watcher {
    seen: HashSet<Notice>,
    looked: bool,
}

/// "12 min", "1 h": whole units rounded down (never more time than is left), at least 1 min.
/// Time left as whole minutes, rounded down (never more time than is left) and at least 1;
/// always minutes, as nothing is announced further out than [`EXPIRY_WINDOW_SECS`].
pub fn minutes(secs: u64) -> String {
    format!("{} min", (secs / 60).max(1))
}

impl Watcher {
    /// Looks at `facts` at time `now`: the notifications due (only the kinds `prefs`
    /// allows) and the tray's view.
    pub fn look(&mut self, facts: &Facts, now: u64, prefs: &DesktopPrefs) -> (Vec<Notification>, TrayView) {
        let first = !self.looked;
        self.looked = true;
        let mut due = Vec::new();
        let mut tray = TrayView::default();
        for s in &facts.sessions {
            if s.revoked_at.is_some() {
                continue;
            }
            if let Some(expiry) = s.expiry_sec {
                if expiry > now && expiry - now <= EXPIRY_WINDOW_SECS {
                    tray.expiring.push((s.label.clone(), expiry - now));
                    due.push((
                        Notice::Expiring(s.id),
                        prefs.notify_expiring,
                        format!("Session “{}” expires soon", s.label),
                        format!(
                            "It expires in {}. Grant a new session before then if it is still needed.",
                            minutes(expiry - now)
                        ),
                    ));
                } else if expiry <= now && now - expiry <= EXPIRY_WINDOW_SECS {
                    due.push((
                        Notice::Expired(s.id),
                        prefs.notify_expiring,
                        format!("Session “{}” has expired", s.label),
                        "Its key can no longer act on the account.".to_owned(),
                    ));
                }
            }
            for call in s.sent_calls.iter().filter(|c| c.outcome == SentCallState::Failed) {
                let notice = Notice::CallFailed(call.call_id.to_vec());
                if first {
                    // Failed before this run: not news.
                    self.seen.insert(notice);
                    continue;
                }
                due.push((
                    notice,
                    prefs.notify_failed_calls,
                    format!("A call through “{}” failed", s.label),
                    "See the session's calls in Warden.".to_owned(),
                ));
            }
        }
        tray.expiring.sort_by_key(|(_, left)| *left);
        if let Some((id, label)) = &facts.approval {
            tray.pending_approvals = 1;
            due.push((
                Notice::ApprovalWaiting(id.clone()),
                prefs.notify_approvals,
                "A grant is waiting for your approval".to_owned(),
                format!("Session “{label}”: review it in the approval window."),
            ));
        }
        let mut out = Vec::new();
        for (notice, wanted, title, body) in due {
            if self.seen.insert(notice.clone()) && wanted {
                out.push(Notification { notice, title, body });
            }
        }
        (out, tray)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{Address, Bytes};
    use warden_desk::store::SentCall;

    const NOW: u64 = 1_800_000_000;

    /// A session record with `expiry`, parsed from the committed 0.1 fixture and adjusted.
    fn session(label: &str, expiry: Option<u64>) -> SessionRecord {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/formats/warden-0.1/sessions.json");
        let file: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let mut record: SessionRecord = serde_json::from_value(file["sessions"][0].clone()).unwrap();
        record.id = UuidV4::new_random();
        record.label = label.to_owned();
        record.expiry_sec = expiry;
        record.revoked_at = None;
        record.sent_calls.clear();
        record
    }

    fn failed_call(id: u8) -> SentCall {
        SentCall {
            call_id: Bytes::from(vec![id; 32]),
            sent_at: NOW,
            calls: vec![warden_core::api::Call { to: Address::ZERO, data: None, value: None }],
            outcome: SentCallState::Failed,
            gas_cost_wei: None,
        }
    }

    fn titles(n: &[Notification]) -> Vec<&str> {
        n.iter().map(|n| n.title.as_str()).collect()
    }

    #[test]
    fn a_session_expiring_within_the_window_is_announced_exactly_once() {
        let mut w = Watcher::default();
        let facts = Facts { sessions: vec![session("bot", Some(NOW + 1800))], approval: None };
        let prefs = DesktopPrefs::default();
        let (first, tray) = w.look(&facts, NOW, &prefs);
        assert_eq!(titles(&first), ["Session “bot” expires soon"]);
        assert!(first[0].body.contains("30 min"), "{}", first[0].body);
        assert_eq!(tray.expiring, vec![("bot".to_owned(), 1800)]);
        for later in [NOW + 1, NOW + 600, NOW + 1799] {
            assert!(w.look(&facts, later, &prefs).0.is_empty(), "again at {later}");
        }
        // Then once more when it has expired, and never again.
        assert_eq!(titles(&w.look(&facts, NOW + 1800, &prefs).0), ["Session “bot” has expired"]);
        assert!(w.look(&facts, NOW + 1900, &prefs).0.is_empty());
    }

    #[test]
    fn far_expiries_old_expiries_revoked_and_endless_sessions_are_quiet() {
        let mut w = Watcher::default();
        let mut revoked = session("revoked", Some(NOW + 60));
        revoked.revoked_at = Some(NOW - 10);
        let facts = Facts {
            sessions: vec![
                session("later", Some(NOW + EXPIRY_WINDOW_SECS + 1)),
                session("long gone", Some(NOW - EXPIRY_WINDOW_SECS - 1)),
                session("never", None),
                revoked,
            ],
            approval: None,
        };
        let (notes, tray) = w.look(&facts, NOW, &DesktopPrefs::default());
        assert!(notes.is_empty(), "{notes:?}");
        assert!(tray.expiring.is_empty());
    }

    #[test]
    fn switched_off_kinds_stay_quiet_and_are_not_replayed() {
        let mut w = Watcher::default();
        let facts =
            Facts { sessions: vec![session("bot", Some(NOW + 60))], approval: Some(("a1".into(), "bot".into())) };
        let off = DesktopPrefs { notify_expiring: false, notify_approvals: false, ..DesktopPrefs::default() };
        let (notes, tray) = w.look(&facts, NOW, &off);
        assert!(notes.is_empty());
        assert_eq!(tray.pending_approvals, 1, "the tray shows it anyway");
        assert!(w.look(&facts, NOW + 1, &DesktopPrefs::default()).0.is_empty(), "switching on does not replay");
    }

    #[test]
    fn failed_calls_are_news_only_after_the_first_look() {
        let mut w = Watcher::default();
        let mut s = session("bot", None);
        s.sent_calls.push(failed_call(1));
        let mut facts = Facts { sessions: vec![s], approval: None };
        assert!(w.look(&facts, NOW, &DesktopPrefs::default()).0.is_empty(), "failed before this run");
        facts.sessions[0].sent_calls.push(failed_call(2));
        assert_eq!(titles(&w.look(&facts, NOW + 5, &DesktopPrefs::default()).0), ["A call through “bot” failed"]);
        assert!(w.look(&facts, NOW + 10, &DesktopPrefs::default()).0.is_empty());
    }

    #[test]
    fn each_waiting_approval_is_announced_once() {
        let mut w = Watcher::default();
        let prefs = DesktopPrefs::default();
        let one = Facts { sessions: vec![], approval: Some(("a1".into(), "bot".into())) };
        assert_eq!(titles(&w.look(&one, NOW, &prefs).0), ["A grant is waiting for your approval"]);
        assert!(w.look(&one, NOW + 1, &prefs).0.is_empty());
        let (_, tray) = w.look(&Facts::default(), NOW + 2, &prefs);
        assert_eq!(tray.pending_approvals, 0);
        let two = Facts { sessions: vec![], approval: Some(("a2".into(), "bot".into())) };
        assert_eq!(w.look(&two, NOW + 3, &prefs).0.len(), 1);
    }

    #[test]
    fn minutes_round_down() {
        assert_eq!(minutes(1), "1 min");
        assert_eq!(minutes(1800), "30 min");
        assert_eq!(minutes(3600), "60 min", "a one-hour session announced at once says 60 min");
        assert_eq!(minutes(3599), "59 min", "never rounds up to more time than is left");
    }
}
