//! Clearing a secret the app put on the clipboard, [`CLEAR_AFTER`] later, but only if the
//! clipboard still holds exactly that text: whatever the person copied since is theirs
//! and is left alone.
//!
//! Only a Keccak-256 digest of the text is kept while waiting, never the text. The
//! clipboard and the clock are traits ([`Clipboard`], [`Timer`]) so the decision and the
//! wait are tested without a desktop session or a real 30-second sleep; the shell's
//! `Host` hands out the real clipboard (`src-tauri/src/host.rs`). Left out:
//! clipboard managers that keep their own history (Warden cannot reach those) and the
//! primary selection on X11 (Warden never writes it).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use alloy_primitives::{B256, keccak256};
use tracing::{info, warn};

/// How long a secret stays on the clipboard, in seconds.
pub const CLEAR_AFTER_SECS: u32 = 30;
/// How long a secret stays on the clipboard.
pub const CLEAR_AFTER: Duration = Duration::from_secs(CLEAR_AFTER_SECS as u64);

/// The system clipboard, as far as the app uses it: writing a document or an answer, and
/// clearing a secret later.
pub trait Clipboard: Send + Sync {
    /// Puts `text` on the clipboard.
    fn write_text(&self, text: &str) -> Result<(), String>;
    /// The text on the clipboard; `None` when it holds no text.
    fn read_text(&self) -> Result<Option<String>, String>;
    /// Empties the clipboard.
    fn clear(&self) -> Result<(), String>;
}

/// Waiting, so tests can decide when the time is up.
pub trait Timer: Send + Sync {
    /// Resolves once `duration` has passed.
    fn wait(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
}

/// The runtime's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct RuntimeTimer;

impl Timer for RuntimeTimer {
    fn wait(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// What happened when the time was up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClearOutcome {
    /// The clipboard still held the secret and was emptied.
    Cleared,
    /// The clipboard holds something else (or nothing): left as it is.
    LeftAlone,
    /// The clipboard could not be read or emptied.
    Failed(String),
}

/// Empties the clipboard if it holds exactly the text whose digest is `written`.
pub fn clear_if_unchanged(clipboard: &dyn Clipboard, written: &B256) -> ClearOutcome {
    let current = match clipboard.read_text() {
        Ok(Some(text)) => zeroize::Zeroizing::new(text),
        Ok(None) => return ClearOutcome::LeftAlone,
        Err(e) => return ClearOutcome::Failed(e),
    };
    if keccak256(current.as_bytes()) != *written {
        return ClearOutcome::LeftAlone;
    }
    match clipboard.clear() {
        Ok(()) => ClearOutcome::Cleared,
        Err(e) => ClearOutcome::Failed(e),
    }
}

/// Waits [`CLEAR_AFTER`] on `timer`, then clears the clipboard if it still holds `text`
/// (which the caller has just written). Keeps only the digest of `text`.
pub fn clear_later(
    clipboard: Arc<dyn Clipboard>,
    timer: &dyn Timer,
    text: &str,
) -> impl Future<Output = ClearOutcome> + Send + 'static {
    let written = keccak256(text.as_bytes());
    let wait = timer.wait(CLEAR_AFTER);
    async move {
        wait.await;
        let outcome = clear_if_unchanged(clipboard.as_ref(), &written);
        match &outcome {
            ClearOutcome::Cleared => info!("cleared the exported secret from the clipboard"),
            ClearOutcome::LeftAlone => info!("the clipboard no longer held the exported secret; left it alone"),
            ClearOutcome::Failed(e) => warn!(error = %e, "could not clear the exported secret from the clipboard"),
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use tokio::sync::oneshot;

    use super::*;

    /// A clipboard in memory, counting how often it was emptied.
    #[derive(Default)]
    struct Board {
        text: Mutex<Option<String>>,
        clears: Mutex<u32>,
        fail: Mutex<Option<String>>,
    }

    impl Board {
        fn put(&self, text: &str) {
            *self.text.lock().unwrap() = Some(text.to_owned());
        }
        fn text(&self) -> Option<String> {
            self.text.lock().unwrap().clone()
        }
    }

    impl Clipboard for Board {
        fn write_text(&self, text: &str) -> Result<(), String> {
            self.put(text);
            Ok(())
        }
        fn read_text(&self) -> Result<Option<String>, String> {
            Ok(self.text())
        }
        fn clear(&self) -> Result<(), String> {
            if let Some(e) = self.fail.lock().unwrap().clone() {
                return Err(e);
            }
            *self.clears.lock().unwrap() += 1;
            *self.text.lock().unwrap() = None;
            Ok(())
        }
    }

    /// A clock the test advances: records what was asked for and fires on `fire`.
    #[derive(Default)]
    struct ManualTimer {
        asked: Mutex<Vec<Duration>>,
        pending: Mutex<Vec<oneshot::Sender<()>>>,
    }

    impl ManualTimer {
        fn fire(&self) {
            for tx in self.pending.lock().unwrap().drain(..) {
                let _ = tx.send(());
            }
        }
    }

    impl Timer for ManualTimer {
        fn wait(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
            self.asked.lock().unwrap().push(duration);
            let (tx, rx) = oneshot::channel();
            self.pending.lock().unwrap().push(tx);
            Box::pin(async move {
                let _ = rx.await;
            })
        }
    }

    const SECRET_DOC: &str = r#"{"secret":{"type":"plaintext","privateKey":"0x4bbb…"}}"#;

    #[tokio::test]
    async fn the_secret_is_cleared_when_the_time_is_up_and_not_before() {
        let board = Arc::new(Board::default());
        let timer = ManualTimer::default();
        board.put(SECRET_DOC);
        let clearing = tokio::spawn(clear_later(board.clone(), &timer, SECRET_DOC));
        assert_eq!(*timer.asked.lock().unwrap(), vec![Duration::from_secs(30)]);
        tokio::task::yield_now().await;
        assert_eq!(board.text().as_deref(), Some(SECRET_DOC), "still there before the time is up");
        timer.fire();
        assert_eq!(clearing.await.unwrap(), ClearOutcome::Cleared);
        assert_eq!(board.text(), None);
        assert_eq!(*board.clears.lock().unwrap(), 1);
    }

    #[tokio::test]
    async fn what_the_person_copied_since_is_left_alone() {
        let board = Arc::new(Board::default());
        let timer = ManualTimer::default();
        board.put(SECRET_DOC);
        let clearing = tokio::spawn(clear_later(board.clone(), &timer, SECRET_DOC));
        board.put("their own text");
        timer.fire();
        assert_eq!(clearing.await.unwrap(), ClearOutcome::LeftAlone);
        assert_eq!(board.text().as_deref(), Some("their own text"));
        assert_eq!(*board.clears.lock().unwrap(), 0);

        // Almost the same text is not the same text.
        board.put(&format!("{SECRET_DOC} "));
        assert_eq!(clear_if_unchanged(board.as_ref(), &keccak256(SECRET_DOC)), ClearOutcome::LeftAlone);
        // An empty clipboard is left alone too.
        *board.text.lock().unwrap() = None;
        assert_eq!(clear_if_unchanged(board.as_ref(), &keccak256(SECRET_DOC)), ClearOutcome::LeftAlone);
    }

    #[tokio::test]
    async fn a_second_export_is_cleared_by_its_own_timer_only() {
        let board = Arc::new(Board::default());
        let timer = ManualTimer::default();
        board.put(SECRET_DOC);
        let first = clear_later(board.clone(), &timer, SECRET_DOC);
        let second_doc = r#"{"secret":"second"}"#;
        board.put(second_doc);
        let second = clear_later(board.clone(), &timer, second_doc);
        timer.fire();
        assert_eq!(first.await, ClearOutcome::LeftAlone, "the first timer does not clear the second secret");
        assert_eq!(second.await, ClearOutcome::Cleared);
        assert_eq!(board.text(), None);
    }

    #[test]
    fn a_clipboard_that_cannot_be_cleared_is_reported() {
        let board = Board::default();
        board.put(SECRET_DOC);
        *board.fail.lock().unwrap() = Some("no display".into());
        assert_eq!(clear_if_unchanged(&board, &keccak256(SECRET_DOC)), ClearOutcome::Failed("no display".into()));
    }
}
