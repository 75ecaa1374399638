//! The app's connection to the OS keychain: opened on first use, re-opened after a
//! failure (so "Retry" on the keychain screen works once the user starts or unlocks their
//! keyring), and probed for the keychain screen.
//!
//! Everything else about keys — creating, importing, never overwriting, classifying
//! errors — is `warden_keychain`'s; this module only decides when to connect. The
//! activity log's keychain anchor ([`KeychainAnchor`]) goes through the same connection.
//! Left out: watching the keyring for lock/unlock (the UI asks again instead).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use warden_core::activity::{AnchorError, AnchoredHead, HeadAnchor};
use warden_keychain::{Keychain, Namespace};

use crate::error::AppError;
use crate::payloads::{KeychainState, KeychainStatus};

/// Opens and hands out the [`Keychain`].
#[derive(Debug)]
pub struct KeychainAccess {
    namespace: Namespace,
    config_dir: PathBuf,
    open: Mutex<Option<Keychain>>,
}

impl KeychainAccess {
    /// For `namespace`, with the owner-key index in `config_dir`. Connects lazily.
    pub fn new(namespace: Namespace, config_dir: PathBuf) -> Self {
        Self { namespace, config_dir, open: Mutex::new(None) }
    }

    /// The keychain, connecting now if no connection is open.
    pub fn get(&self) -> Result<Keychain, AppError> {
        let mut slot = self.open.lock().map_err(|_| AppError::internal("the keychain connection lock is poisoned"))?;
        if let Some(k) = slot.as_ref() {
            return Ok(k.clone());
        }
        let keychain = self.connect()?;
        *slot = Some(keychain.clone());
        Ok(keychain)
    }

    /// Forgets the open connection after an error that may mean it went stale (the
    /// keyring daemon restarted, the bus went away); the next [`Self::get`] reconnects.
    pub fn forget_if_unavailable(&self, error: &AppError) {
        if error.code == crate::error::ErrorCode::KeychainUnavailable
            && let Ok(mut slot) = self.open.lock()
        {
            *slot = None;
        }
    }

    /// Runs `f` with the keychain on a blocking thread (keychain calls block on D-Bus and
    /// may wait for an unlock prompt; the UI thread must not).
    pub async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Keychain) -> Result<T, AppError> + Send + 'static,
    {
        let access = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let keychain = access.get()?;
            let result = f(&keychain);
            if let Err(e) = &result {
                access.forget_if_unavailable(e);
            }
            result
        })
        .await
        .map_err(|e| AppError::internal(format!("the keychain task failed: {e}")))?
    }

    fn connect(&self) -> Result<Keychain, AppError> {
        std::fs::create_dir_all(&self.config_dir).map_err(|e| {
            AppError::internal(format!("cannot create Warden's settings folder {}: {e}", self.config_dir.display()))
        })?;
        Ok(Keychain::open(self.namespace.clone(), &self.config_dir)?)
    }

    /// Connects afresh and reads one entry (the API key), which is what any key operation
    /// needs to work: it tells apart a working, locked, refusing or missing keychain.
    pub fn probe(&self) -> KeychainStatus {
        let result = self.connect().and_then(|k| match k.alchemy_api_key() {
            Ok(_) => Ok(k),
            Err(e) => Err(AppError::from(e)),
        });
        match result {
            Ok(keychain) => {
                if let Ok(mut slot) = self.open.lock() {
                    *slot = Some(keychain);
                }
                KeychainStatus { state: KeychainState::Ok, message: "The keychain is available.".into() }
            }
            Err(error) => {
                if let Ok(mut slot) = self.open.lock() {
                    *slot = None;
                }
                status_of(&error)
            }
        }
    }
}

/// The selected owner key's address (`no_owner_key` when none is selected).
pub async fn selected_owner(keychain: &Arc<KeychainAccess>) -> Result<alloy_primitives::Address, AppError> {
    keychain
        .run(|k| {
            k.selected_owner_key()?.map(|info| info.address).ok_or_else(|| {
                AppError::new(
                    crate::error::ErrorCode::NoOwnerKey,
                    "no owner key is selected: create, import or pick one first",
                )
            })
        })
        .await
}

/// The keychain screen's state for an error.
pub fn status_of(error: &AppError) -> KeychainStatus {
    use crate::error::ErrorCode as C;
    let state = match error.code {
        C::KeychainLocked => KeychainState::Locked,
        C::KeychainDenied => KeychainState::Denied,
        // Anything else that stops the keychain from answering: no Secret Service, no
        // session bus, or a keychain failure the user cannot act on inside Warden.
        _ => KeychainState::Unavailable,
    };
    KeychainStatus { state, message: error.message.clone() }
}

/// The activity log's outside anchor (`warden_core::activity::HeadAnchor`) in the keychain,
/// over the app's one keychain connection: a keychain that cannot be reached is retried at
/// the next call, and its error says why the check was not done.
#[derive(Debug)]
pub struct KeychainAnchor(pub Arc<KeychainAccess>);

impl KeychainAnchor {
    fn with<T>(&self, f: impl FnOnce(&Keychain) -> Result<T, AnchorError>) -> Result<T, AnchorError> {
        let keychain = self.0.get().map_err(|e| AnchorError { code: e.code, message: e.message })?;
        let result = f(&keychain);
        if let Err(e) = &result {
            self.0.forget_if_unavailable(&AppError::new(e.code, e.message.clone()));
        }
        result
    }
}

impl HeadAnchor for KeychainAnchor {
    fn load(&self) -> Result<Option<AnchoredHead>, AnchorError> {
        self.with(HeadAnchor::load)
    }

    fn store(&self, head: AnchoredHead) -> Result<(), AnchorError> {
        self.with(|k| k.store(head))
    }

    fn clear(&self) -> Result<(), AnchorError> {
        self.with(HeadAnchor::clear)
    }
}
