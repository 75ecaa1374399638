//! Records as the UI shows them: a stored session with its live status at a given time.

use std::collections::HashMap;

use alloy_primitives::Address;
use warden_core::permissions::TokenInfo;

use crate::payloads::Currency;
use crate::payloads::sessions::{SessionView, permission_views};
use crate::store::SessionRecord;

/// A record as the dashboard shows it at `now`.
pub fn session_view(record: &SessionRecord, now: u64, tokens: &HashMap<Address, TokenInfo>) -> SessionView {
    let (permissions, _) =
        permission_views(&record.permissions, record.expiry_sec.unwrap_or(0), now, record.chain_id, tokens);
    SessionView {
        id: record.id.to_string(),
        label: record.label.clone(),
        account: record.account.to_checksum(None),
        chain_id: record.chain_id,
        currency: Currency::of_chain(record.chain_id),
        session_id: record.session_id.to_string(),
        session_key: record.session_key.to_checksum(None),
        key_held_by_warden: record.key_held_by_warden,
        expiry_sec: record.expiry_sec,
        created_at: record.created_at,
        status: record.status(now),
        permissions,
    }
}
