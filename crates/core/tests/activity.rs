//! The activity log: entries chain by hash; editing, forging, deleting, reordering or
//! cutting lines is reported at the right entry with the right problem, also after more
//! entries were appended; filters; the file is 0600. With an outside anchor (the app's
//! keychain; here in memory): cutting the log and rewriting its anchor file, re-chaining
//! it, or deleting both files is reported too, and an anchor that cannot be read is said.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use alloy_primitives::{Address, B256, FixedBytes, U256};
use warden_core::activity::{
    ActivityEntry, ActivityError, ActivityKind, ActivityLog, AnchorError, AnchoredHead, Filter, HEAD_FILE, Integrity,
    LOG_FILE, LogProblem, MemoryAnchor, NewEntry, OutsideCheck, Summary,
};
use warden_core::{Coded, ErrorCode};

const ACCOUNT: Address = Address::repeat_byte(0x11);
const KEY: Address = Address::repeat_byte(0x22);

fn session(n: u8) -> FixedBytes<16> {
    FixedBytes::repeat_byte(n)
}

/// A log with `n` entries of varied kinds; entries alternate between sessions 1 and 2.
fn log_with(dir: &Path, n: u64) -> ActivityLog {
    let log = ActivityLog::open(dir).unwrap();
    for i in 0..n {
        let kind = ActivityKind::ALL[i as usize % ActivityKind::ALL.len()];
        let summary = Summary::new("Did something").address("account", ACCOUNT).native(
            "value",
            U256::from(i),
            &warden_core::chains::ETHER,
        );
        log.append(kind, summary, Some(session(1 + (i % 2) as u8)), 1_000 + i).unwrap();
    }
    log
}

fn lines(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join(LOG_FILE)).unwrap().lines().map(str::to_owned).collect()
}

fn write_lines(dir: &Path, lines: &[String]) {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(dir.join(LOG_FILE), text).unwrap();
}

fn broken(integrity: &Integrity) -> (Option<u64>, LogProblem) {
    assert!(!integrity.intact, "{integrity:?}");
    (integrity.broken_at, integrity.problem.clone().unwrap())
}

#[test]
fn entries_chain_by_hash_and_read_back_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 5);
    let view = log.read(Filter::default()).unwrap();
    assert_eq!(
        view.integrity,
        Integrity { intact: true, broken_at: None, problem: None, entries: 5, outside: OutsideCheck::NotConfigured }
    );
    let mut prev = B256::ZERO;
    for (i, e) in view.entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1);
        assert_eq!(e.at, 1_000 + i as u64);
        assert_eq!(e.prev, prev);
        assert_eq!(e.hash, e.compute_hash());
        prev = e.hash;
    }
    assert_eq!(
        view.entries[1].summary,
        "Did something · account 0x1111111111111111111111111111111111111111 · value 1 wei"
    );
    // Each line is exactly the documented object.
    let first: serde_json::Value = serde_json::from_str(&lines(dir.path())[0]).unwrap();
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["seq", "at", "kind", "summary", "sessionId", "prev", "hash"]);
    assert_eq!(first["kind"], "account_created");
    assert_eq!(first["sessionId"], "0x01010101010101010101010101010101");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(LOG_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    log.ensure_intact().unwrap();
    // A new handle on the same folder continues the chain.
    let again = ActivityLog::open(dir.path()).unwrap();
    let e = again.append(ActivityKind::Forgotten, Summary::new("Forgot"), None, 2_000).unwrap();
    assert_eq!((e.seq, e.prev), (6, prev));
    assert!(again.verify().unwrap().intact);
}

#[test]
fn an_empty_log_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let log = ActivityLog::open(dir.path()).unwrap();
    let view = log.read(Filter::default()).unwrap();
    assert!(view.entries.is_empty());
    assert!(view.integrity.intact);
}

#[test]
fn filters_by_kind_and_session() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 12);
    let approved = log.read(Filter { kind: Some(ActivityKind::Approved), session_id: None }).unwrap();
    assert_eq!(approved.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 12]);
    let s2 = log.read(Filter { kind: None, session_id: Some(session(2)) }).unwrap();
    assert_eq!(s2.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 4, 6, 8, 10, 12]);
    let both = log.read(Filter { kind: Some(ActivityKind::Approved), session_id: Some(session(2)) }).unwrap();
    assert_eq!(both.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [12]);
    assert!(s2.integrity.intact);
}

#[test]
fn an_edited_past_line_is_reported_at_its_entry_even_after_more_appends() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 6);
    let mut l = lines(dir.path());
    l[2] = l[2].replace("value 2 wei", "value 2000 wei");
    write_lines(dir.path(), &l);
    let (at, problem) = broken(&log.verify().unwrap());
    assert_eq!((at, problem), (Some(3), LogProblem::Edited { line: 3 }));

    let e = log.ensure_intact().unwrap_err();
    assert!(matches!(e, ActivityError::Tampered { at: Some(3), .. }), "{e}");
    assert_eq!(e.code(), ErrorCode::LogTampered);
    assert!(e.to_string().contains("at entry 3"), "{e}");

    for i in 0..3 {
        log.append(ActivityKind::Signed, Summary::new("Signed"), None, 5_000 + i).unwrap();
    }
    let view = log.read(Filter::default()).unwrap();
    assert_eq!(view.entries.len(), 9, "the edited entry is still shown, and the new ones");
    assert_eq!((view.integrity.broken_at, view.integrity.problem), (Some(3), Some(LogProblem::Edited { line: 3 })));
}

#[test]
fn a_forged_entry_with_a_recomputed_hash_breaks_the_chain_at_the_next_entry() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 5);
    let mut l = lines(dir.path());
    let mut e: ActivityEntry = serde_json::from_str(&l[1]).unwrap();
    e.summary = "Nothing happened".into();
    e.hash = e.compute_hash();
    l[1] = serde_json::to_string(&e).unwrap();
    write_lines(dir.path(), &l);
    assert_eq!(broken(&log.verify().unwrap()), (Some(3), LogProblem::ChainBroken { seq: 3 }));
}

#[test]
fn a_deleted_line_is_reported_even_after_more_appends() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 6);
    let mut l = lines(dir.path());
    l.remove(2);
    write_lines(dir.path(), &l);
    assert_eq!(broken(&log.verify().unwrap()), (Some(3), LogProblem::Missing { expected: 3, found: 4 }));
    log.append(ActivityKind::Revoked, Summary::new("Revoked"), None, 9_000).unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (Some(3), LogProblem::Missing { expected: 3, found: 4 }));
    assert!(LogProblem::Missing { expected: 3, found: 4 }.to_string().contains("entries 3 to 3 are missing"));
}

#[test]
fn reordered_lines_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 5);
    let mut l = lines(dir.path());
    l.swap(1, 2);
    write_lines(dir.path(), &l);
    assert_eq!(broken(&log.verify().unwrap()), (Some(2), LogProblem::OutOfOrder { expected: 2, found: 3 }));
    // A repeated line.
    let mut l = lines(dir.path());
    l.swap(1, 2);
    l.insert(3, l[2].clone());
    write_lines(dir.path(), &l);
    assert_eq!(broken(&log.verify().unwrap()), (Some(4), LogProblem::OutOfOrder { expected: 4, found: 3 }));
}

#[test]
fn a_cut_tail_is_reported_and_appending_keeps_it_visible() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 4);
    // Cut in the middle of the last line (a write interrupted, or the file truncated).
    let text = std::fs::read(dir.path().join(LOG_FILE)).unwrap();
    std::fs::write(dir.path().join(LOG_FILE), &text[..text.len() - 40]).unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (Some(4), LogProblem::TruncatedTail { line: 4 }));
    let e = log.append(ActivityKind::Exported, Summary::new("Exported"), None, 9_000).unwrap();
    assert_eq!(e.seq, 5, "numbering continues after the anchored entry 4");
    let view = log.read(Filter::default()).unwrap();
    assert_eq!(view.entries.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3, 5]);
    let (at, problem) = (view.integrity.broken_at, view.integrity.problem.unwrap());
    assert_eq!(at, Some(4));
    assert!(matches!(problem, LogProblem::Malformed { line: 4, .. }), "{problem}");
}

#[test]
fn whole_lines_cut_from_the_end_are_caught_by_the_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 6);
    let l = lines(dir.path());
    write_lines(dir.path(), &l[..4]);
    assert_eq!(broken(&log.verify().unwrap()), (Some(5), LogProblem::TailRemoved { anchored: 6, last: 4 }));
    // Appending after the cut: the gap stays visible.
    let e = log.append(ActivityKind::Approved, Summary::new("Approved"), None, 9_000).unwrap();
    assert_eq!(e.seq, 7);
    assert_eq!(broken(&log.verify().unwrap()), (Some(5), LogProblem::Missing { expected: 5, found: 7 }));

    // The whole file deleted.
    std::fs::remove_file(dir.path().join(LOG_FILE)).unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (Some(1), LogProblem::TailRemoved { anchored: 7, last: 0 }));
}

#[test]
fn a_consistently_rechained_log_differs_from_its_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 4);
    let mut prev = B256::ZERO;
    let mut out = Vec::new();
    for line in lines(dir.path()) {
        let mut e: ActivityEntry = serde_json::from_str(&line).unwrap();
        if e.seq == 2 {
            e.summary = "Rewritten".into();
        }
        e.prev = prev;
        e.hash = e.compute_hash();
        prev = e.hash;
        out.push(serde_json::to_string(&e).unwrap());
    }
    write_lines(dir.path(), &out);
    assert_eq!(broken(&log.verify().unwrap()), (Some(4), LogProblem::Rewritten { seq: 4 }));
}

#[test]
fn a_missing_or_damaged_anchor_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 3);
    std::fs::write(dir.path().join(HEAD_FILE), b"{").unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (None, LogProblem::AnchorMissing));
    std::fs::remove_file(dir.path().join(HEAD_FILE)).unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (None, LogProblem::AnchorMissing));
    // The next append restores it; the log is whole again.
    log.append(ActivityKind::Signed, Summary::new("Signed"), None, 9).unwrap();
    assert!(log.verify().unwrap().intact);
}

#[test]
fn garbage_lines_are_malformed_with_the_line_named() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_with(dir.path(), 3);
    let mut l = lines(dir.path());
    l[1] = l[1].replace("\"kind\":\"grant_requested\"", "\"kind\":\"nonsense\"");
    write_lines(dir.path(), &l);
    let (at, problem) = broken(&log.verify().unwrap());
    assert_eq!(at, Some(2));
    assert!(matches!(&problem, LogProblem::Malformed { line: 2, reason } if reason.contains("nonsense")), "{problem}");
    let mut l = lines(dir.path());
    l[1] = String::new();
    write_lines(dir.path(), &l);
    assert!(matches!(broken(&log.verify().unwrap()), (Some(2), LogProblem::Malformed { line: 2, .. })));
}

#[test]
fn an_unreadable_log_is_a_storage_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(LOG_FILE)).unwrap();
    let log = ActivityLog::open(dir.path()).unwrap();
    let e = log.verify().unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageFailed);
    let e = log.append(ActivityKind::Signed, Summary::new("x"), None, 1).unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageFailed);
    assert!(e.to_string().contains(LOG_FILE), "{e}");
}

#[test]
fn appends_from_many_threads_stay_one_chain() {
    let dir = tempfile::tempdir().unwrap();
    let log = Arc::new(ActivityLog::open(dir.path()).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let log = log.clone();
            std::thread::spawn(move || {
                for i in 0..10 {
                    log.append(
                        ActivityKind::TestCall,
                        Summary::new("Test call").address("key", KEY),
                        None,
                        t * 100 + i,
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let integrity = log.verify().unwrap();
    assert!(integrity.intact, "{integrity:?}");
    assert_eq!(integrity.entries, 40);
}

/// The files Warden 0.1 wrote (see fixtures/formats/README.md), copied into `dir`.
fn warden_0_1_log(dir: &Path) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/formats/warden-0.1");
    for name in [LOG_FILE, HEAD_FILE] {
        std::fs::copy(fixtures.join(name), dir.join(name)).unwrap();
    }
}

#[test]
fn warden_0_1_log_reads_intact_and_grows() {
    let dir = tempfile::tempdir().unwrap();
    warden_0_1_log(dir.path());
    let log = ActivityLog::open(dir.path()).unwrap();
    let view = log.read(Filter::default()).unwrap();
    assert!(view.integrity.intact, "{:?}", view.integrity);
    assert_eq!(view.entries.len(), 7);
    assert_eq!(view.entries[0].kind, ActivityKind::AccountCreated);

    let added = log.append(ActivityKind::Revoked, Summary::new("Revoked"), None, 2_000_000_000).unwrap();
    assert_eq!(added.seq, 8);
    assert_eq!(added.prev, view.entries[6].hash);
    assert!(log.verify().unwrap().intact);
    let head: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join(HEAD_FILE)).unwrap()).unwrap();
    assert_eq!(head["version"], warden_core::activity::VERSION, "the anchor now names its format");
}

#[test]
fn a_log_from_a_newer_warden_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    warden_0_1_log(dir.path());
    let head_path = dir.path().join(HEAD_FILE);
    let mut head: serde_json::Value = serde_json::from_slice(&std::fs::read(&head_path).unwrap()).unwrap();
    head["version"] = serde_json::json!(2);
    std::fs::write(&head_path, serde_json::to_vec(&head).unwrap()).unwrap();
    let before = (std::fs::read(dir.path().join(LOG_FILE)).unwrap(), std::fs::read(&head_path).unwrap());

    let log = ActivityLog::open(dir.path()).unwrap();
    for e in [
        log.read(Filter::default()).unwrap_err(),
        log.append(ActivityKind::Revoked, Summary::new("Revoked"), None, 2_000_000_000).unwrap_err(),
    ] {
        assert!(matches!(e, ActivityError::NewerVersion { found: 2, .. }), "{e}");
        assert_eq!(e.code(), ErrorCode::StoreCorrupt);
        let m = e.to_string();
        assert!(m.contains("newer Warden") && m.contains("left untouched") && m.contains(LOG_FILE), "{m}");
    }
    let after = (std::fs::read(dir.path().join(LOG_FILE)).unwrap(), std::fs::read(&head_path).unwrap());
    assert_eq!(before, after);
}

// ----- the outside anchor (the app's is the OS keychain) -----------------------------------

/// A log with `n` entries whose head is also kept in a [`MemoryAnchor`].
fn anchored_log_with(dir: &Path, n: u64) -> (ActivityLog, Arc<MemoryAnchor>) {
    let anchor = Arc::new(MemoryAnchor::default());
    let log = ActivityLog::open(dir).unwrap().with_outside_anchor(anchor.clone());
    for i in 0..n {
        log.append(ActivityKind::ALL[i as usize % 9], Summary::new("Did something"), Some(session(1)), 1_000 + i)
            .unwrap();
    }
    (log, anchor)
}

/// The entry `seq` as the log file holds it.
fn entry(dir: &Path, seq: u64) -> ActivityEntry {
    lines(dir).iter().map(|l| serde_json::from_str::<ActivityEntry>(l).unwrap()).find(|e| e.seq == seq).unwrap()
}

/// Writes the anchor file as Warden would for `entry`: what someone covering their tracks does.
fn rewrite_anchor_file(dir: &Path, entry: &ActivityEntry) {
    let head = AnchoredHead { seq: entry.seq, hash: entry.hash };
    std::fs::write(dir.join(HEAD_FILE), head.to_text()).unwrap();
}

fn locked() -> AnchorError {
    AnchorError { code: ErrorCode::KeychainLocked, message: "the keychain is locked".into() }
}

#[test]
fn a_new_anchored_log_is_anchored_from_its_first_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 0);
    let empty = log.verify().unwrap();
    assert!(empty.intact);
    assert_eq!(empty.outside, OutsideCheck::NotAnchored);

    let e = log.append(ActivityKind::AccountCreated, Summary::new("Account"), None, 1).unwrap();
    assert_eq!(anchor.get(), Some(AnchoredHead { seq: 1, hash: e.hash }));
    let mut last = e;
    for i in 0..3 {
        last = log.append(ActivityKind::Signed, Summary::new("Signed"), None, 2 + i).unwrap();
    }
    assert_eq!(anchor.get(), Some(AnchoredHead { seq: 4, hash: last.hash }));
    let integrity = log.verify().unwrap();
    assert!(integrity.intact, "{integrity:?}");
    assert_eq!(integrity.outside, OutsideCheck::Agrees { seq: 4 });
    assert!(integrity.outside.to_string().contains("matches"), "{}", integrity.outside);
}

#[test]
fn truncating_the_log_and_rewriting_its_anchor_file_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 6);
    let held = anchor.get().unwrap();
    // Cut entries 5 and 6, and write the anchor file the cut log would have had.
    let l = lines(dir.path());
    write_lines(dir.path(), &l[..4]);
    rewrite_anchor_file(dir.path(), &entry(dir.path(), 4));
    let integrity = log.verify().unwrap();
    assert_eq!(broken(&integrity), (Some(5), LogProblem::CutBelowOutsideAnchor { anchored: 6, last: 4 }));
    assert_eq!(integrity.outside, OutsideCheck::Disagrees { anchored: 6 });
    let e = log.ensure_intact().unwrap_err();
    assert_eq!(e.code(), ErrorCode::LogTampered);
    assert!(e.to_string().contains("the keychain records entry 6"), "{e}");

    // Appending afterwards neither hides the cut nor moves the anchor.
    let added = log.append(ActivityKind::Approved, Summary::new("Approved"), None, 9_000).unwrap();
    assert_eq!(added.seq, 7, "numbered after the keychain's entry");
    assert_eq!(broken(&log.verify().unwrap()), (Some(5), LogProblem::Missing { expected: 5, found: 7 }));
    assert_eq!(anchor.get(), Some(held), "a disagreeing anchor is kept as it is");
}

#[test]
fn deleting_both_files_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 5);
    std::fs::remove_file(dir.path().join(LOG_FILE)).unwrap();
    std::fs::remove_file(dir.path().join(HEAD_FILE)).unwrap();
    let integrity = log.verify().unwrap();
    assert_eq!(broken(&integrity), (Some(1), LogProblem::LogDeleted { anchored: 5 }));
    assert_eq!(integrity.entries, 0);
    assert!(integrity.problem.unwrap().to_string().contains("the keychain records entry 5"));

    // A new handle (the app started again) sees the same.
    let again = ActivityLog::open(dir.path()).unwrap().with_outside_anchor(anchor.clone());
    assert_eq!(broken(&again.verify().unwrap()), (Some(1), LogProblem::LogDeleted { anchored: 5 }));
    // Writing on starts after the deleted entries, so the gap stays.
    let e = again.append(ActivityKind::Signed, Summary::new("Signed"), None, 9).unwrap();
    assert_eq!(e.seq, 6);
    assert_eq!(broken(&again.verify().unwrap()), (Some(1), LogProblem::Missing { expected: 1, found: 6 }));
    assert_eq!(anchor.get().unwrap().seq, 5);
}

#[test]
fn a_rechained_log_with_a_matching_anchor_file_differs_from_the_outside_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 4);
    let mut prev = B256::ZERO;
    let mut out = Vec::new();
    let mut last = None;
    for line in lines(dir.path()) {
        let mut e: ActivityEntry = serde_json::from_str(&line).unwrap();
        if e.seq == 2 {
            e.summary = "Nothing happened".into();
        }
        e.prev = prev;
        e.hash = e.compute_hash();
        prev = e.hash;
        out.push(serde_json::to_string(&e).unwrap());
        last = Some(e);
    }
    write_lines(dir.path(), &out);
    rewrite_anchor_file(dir.path(), &last.unwrap());
    let integrity = log.verify().unwrap();
    assert_eq!(broken(&integrity), (Some(4), LogProblem::RechainedBelowOutsideAnchor { seq: 4 }));
    assert_eq!(integrity.outside, OutsideCheck::Disagrees { anchored: 4 });

    // Still reported after more entries: the anchor does not follow the rewritten chain.
    let held = anchor.get();
    log.append(ActivityKind::Signed, Summary::new("Signed"), None, 9).unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (Some(4), LogProblem::RechainedBelowOutsideAnchor { seq: 4 }));
    assert_eq!(anchor.get(), held);
}

#[test]
fn an_unreadable_outside_anchor_is_said_and_the_log_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 2);
    anchor.set_unavailable(Some(locked()));
    // Appending still works; the check says it was not done.
    log.append(ActivityKind::Exported, Summary::new("Exported"), None, 5).unwrap();
    log.append(ActivityKind::Exported, Summary::new("Exported"), None, 6).unwrap();
    let integrity = log.verify().unwrap();
    assert_eq!(integrity.outside, OutsideCheck::Unavailable { error: locked() });
    assert!(integrity.outside.to_string().starts_with("The keychain check could not be done"), "{}", integrity.outside);
    assert_eq!(integrity.entries, 4);

    // Readable again: it agrees with entry 2, later entries are not in it yet…
    anchor.set_unavailable(None);
    assert_eq!(log.verify().unwrap().outside, OutsideCheck::Behind { anchored: 2, last: 4 });
    // …until the next entry.
    let e = log.append(ActivityKind::Signed, Summary::new("Signed"), None, 7).unwrap();
    assert_eq!(anchor.get(), Some(AnchoredHead { seq: 5, hash: e.hash }));
    let integrity = log.verify().unwrap();
    assert!(integrity.intact);
    assert_eq!(integrity.outside, OutsideCheck::Agrees { seq: 5 });
}

#[test]
fn a_log_from_before_outside_anchors_is_adopted_once_at_its_next_entry() {
    let dir = tempfile::tempdir().unwrap();
    warden_0_1_log(dir.path());
    let anchor = Arc::new(MemoryAnchor::default());
    let log = ActivityLog::open(dir.path()).unwrap().with_outside_anchor(anchor.clone());
    let before = log.verify().unwrap();
    assert!(before.intact, "{before:?}");
    assert_eq!(before.outside, OutsideCheck::NotAnchored);
    assert!(before.outside.to_string().contains("added with the next entry"), "{}", before.outside);

    let added = log.append(ActivityKind::Revoked, Summary::new("Revoked"), None, 2_000_000_000).unwrap();
    assert_eq!(added.seq, 8);
    assert_eq!(anchor.get(), Some(AnchoredHead { seq: 8, hash: added.hash }));
    assert_eq!(log.verify().unwrap().outside, OutsideCheck::Agrees { seq: 8 });

    // From then on, deleting both files is noticed.
    std::fs::remove_file(dir.path().join(LOG_FILE)).unwrap();
    std::fs::remove_file(dir.path().join(HEAD_FILE)).unwrap();
    assert_eq!(broken(&log.verify().unwrap()), (Some(1), LogProblem::LogDeleted { anchored: 8 }));
}

#[test]
fn erasing_removes_the_files_and_the_outside_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 3);
    anchor.set_unavailable(Some(locked()));
    let e = log.erase().unwrap_err();
    assert_eq!(e.code(), ErrorCode::KeychainLocked, "{e}");
    assert!(dir.path().join(LOG_FILE).exists(), "nothing is removed while the anchor stays");
    assert!(log.verify().unwrap().intact);
    anchor.set_unavailable(None);
    log.erase().unwrap();
    assert!(!dir.path().join(LOG_FILE).exists() && !dir.path().join(HEAD_FILE).exists());
    assert_eq!(anchor.get(), None);
    let fresh = log.verify().unwrap();
    assert!(fresh.intact);
    assert_eq!((fresh.entries, fresh.outside), (0, OutsideCheck::NotAnchored));
    assert_eq!(log.append(ActivityKind::AccountCreated, Summary::new("Account"), None, 1).unwrap().seq, 1);
}

#[test]
fn entries_appended_together_chain_and_are_anchored_once() {
    let dir = tempfile::tempdir().unwrap();
    let (log, anchor) = anchored_log_with(dir.path(), 1);
    let added = log
        .append_all(
            vec![
                NewEntry { kind: ActivityKind::Approved, summary: Summary::new("Grant approved"), session_id: None },
                NewEntry { kind: ActivityKind::Signed, summary: Summary::new("Owner signed"), session_id: None },
            ],
            50,
        )
        .unwrap();
    assert_eq!(added.iter().map(|e| e.seq).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(added[1].prev, added[0].hash);
    assert_eq!(anchor.get(), Some(AnchoredHead { seq: 3, hash: added[1].hash }));
    assert_eq!(lines(dir.path()).len(), 3);
    let integrity = log.verify().unwrap();
    assert!(integrity.intact && integrity.outside == OutsideCheck::Agrees { seq: 3 }, "{integrity:?}");
}

#[test]
fn an_anchored_head_reads_back_and_a_newer_one_is_refused() {
    let head = AnchoredHead { seq: 7, hash: B256::repeat_byte(0xab) };
    let text = head.to_text();
    assert!(text.starts_with("{\"version\":1,\"seq\":7,"), "{text}");
    assert_eq!(AnchoredHead::from_text(&text).unwrap(), head);
    let newer = text.replace("\"version\":1", "\"version\":2");
    assert!(AnchoredHead::from_text(&newer).unwrap_err().contains("newer Warden"));
    assert!(AnchoredHead::from_text("secret-looking text").unwrap_err().contains("does not hold"));
}
