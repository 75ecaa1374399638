//! How much of each limited permission a session has used, and where that number comes
//! from.
//!
//! One [`UsageLine`] per permission with a limit (native allowance, ERC-20 allowance, gas
//! limit), in the order of the session's permissions:
//! * On Warden's devnet the numbers are the devnet's own accounting, read with
//!   `devnet_sessionUsage` ([`UsageSource::Devnet`]): every operation by anyone holding the
//!   key, charged as the devnet enforces it (gas as the operation's maximum cost).
//! * Elsewhere no endpoint reports a session's spending, so the numbers are what Warden
//!   observed ([`UsageSource::Observed`]): the sums of the confirmed calls it sent itself
//!   with the session key (native value, `transfer`/`approve` amounts, gas paid when known),
//!   as recorded in the session list ([`crate::store`]). The note says that calls by the
//!   server holding the key are not included.
//!
//! Amounts are decimal strings plus a formatted form with units (the chain's native
//! currency — ETH, POL, BNB… — or gwei/wei, token symbol and decimals when known, raw
//! units otherwise). The devnet's answer and its
//! reading are core's ([`warden_core::usage`]), shared with `warden session inspect`. Left
//! out: reading on-chain hook storage of a real Modular Account (the data is per-entity and
//! not exposed by the API).

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use warden_core::chains::{NativeCurrency, native_currency};
use warden_core::mav2::constants::{SELECTOR_ERC20_APPROVE, SELECTOR_ERC20_TRANSFER};
use warden_core::permissions::{Permission, PermissionKind, TokenInfo, format_native, format_units};
use warden_core::rpc::RpcClient;
use warden_core::usage::{DevnetUsage, UsageError, fetch_devnet_usage};

use crate::store::{EndpointKind, SentCallState, SessionRecord};

/// Where a usage number comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum UsageSource {
    Devnet,
    Observed,
}

/// Usage of one limited permission. `used`/`limit` are decimal base-unit strings; the
/// formatted ones carry units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct UsageLine {
    /// Index into the session's permissions.
    #[ts(type = "number")]
    pub permission_index: usize,
    /// What is limited: the permission's title, and the token for an ERC-20 limit (e.g.
    /// "ETH spending limit", "Token spending limit (ERC-20): USDC (0x…)", "Network fee limit").
    pub label: String,
    /// Decimal, in wei or token base units.
    pub used: String,
    pub limit: String,
    pub used_formatted: String,
    pub limit_formatted: String,
    pub source: UsageSource,
    pub note: Option<String>,
}

/// Usage lines from the devnet's accounting; `usage` must be the answer for `record`.
pub fn devnet_lines(
    record: &SessionRecord,
    usage: &DevnetUsage,
    tokens: &HashMap<Address, TokenInfo>,
) -> Result<Vec<UsageLine>, UsageError> {
    let checks = [
        ("session", record.session_id.to_string(), usage.session_id.to_string()),
        ("account", record.account.to_checksum(None), usage.account.to_checksum(None)),
        ("key", record.session_key.to_checksum(None), usage.key.to_checksum(None)),
    ];
    for (what, expected, got) in checks {
        if expected != got {
            return Err(UsageError::WrongSession { what, expected, got });
        }
    }
    Ok(limited(&record.permissions)
        .map(|(index, limit)| {
            let spent =
                usage.limits.iter().find(|l| l.kind == limit.kind() && l.address == limit.token()).map(|l| l.spent);
            let note = match spent {
                None => Some("the devnet does not track this limit".to_owned()),
                Some(_) if !usage.installed => {
                    Some("not used yet: the grant is installed by its first call".to_owned())
                }
                Some(_) => None,
            };
            let currency = native_currency(record.chain_id);
            line(index, limit, spent.unwrap_or_default(), UsageSource::Devnet, note, currency, tokens)
        })
        .collect())
}

/// Usage lines from the confirmed calls Warden sent itself (see the module docs).
pub fn observed_lines(record: &SessionRecord, tokens: &HashMap<Address, TokenInfo>) -> Vec<UsageLine> {
    let confirmed: Vec<_> = record.sent_calls.iter().filter(|c| c.outcome == SentCallState::Confirmed).collect();
    let mut native = U256::ZERO;
    let mut erc20: HashMap<Address, U256> = HashMap::new();
    let mut gas = U256::ZERO;
    let mut gas_unknown = 0usize;
    for sent in &confirmed {
        for call in &sent.calls {
            native = native.saturating_add(call.value.unwrap_or_default());
            if let Some(amount) = call.data.as_ref().and_then(|d| erc20_amount(d)) {
                let total = erc20.entry(call.to).or_default();
                *total = total.saturating_add(amount);
            }
        }
        match sent.gas_cost_wei {
            Some(g) => gas = gas.saturating_add(g),
            None => gas_unknown += 1,
        }
    }
    let base_note = format!(
        "observed: {} confirmed call{} sent by Warden; calls made by whoever else holds the key are not seen",
        confirmed.len(),
        if confirmed.len() == 1 { "" } else { "s" }
    );
    limited(&record.permissions)
        .map(|(index, limit)| {
            let (used, note) = match limit {
                Limit::Native(_) => (native, base_note.clone()),
                Limit::Erc20 { token, .. } => (erc20.get(&token).copied().unwrap_or_default(), base_note.clone()),
                Limit::Gas(_) if gas_unknown > 0 => {
                    (gas, format!("{base_note}; the gas cost of {gas_unknown} of them is unknown and not counted"))
                }
                Limit::Gas(_) => (gas, base_note.clone()),
            };
            line(index, limit, used, UsageSource::Observed, Some(note), native_currency(record.chain_id), tokens)
        })
        .collect()
}

/// Usage of `record`: from the devnet when the session lives on one (and a client for it
/// is given), observed otherwise.
pub async fn session_usage(
    record: &SessionRecord,
    rpc: Option<&RpcClient>,
    tokens: &HashMap<Address, TokenInfo>,
) -> Result<Vec<UsageLine>, UsageError> {
    match (record.endpoint.kind, rpc) {
        (EndpointKind::Devnet, Some(rpc)) => {
            let usage = fetch_devnet_usage(rpc, &record.session_id).await?;
            devnet_lines(record, &usage, tokens)
        }
        _ => Ok(observed_lines(record, tokens)),
    }
}

/// The `transfer`/`approve` amount of ERC-20 call data.
fn erc20_amount(data: &[u8]) -> Option<U256> {
    let selector = data.get(..4)?;
    if selector != SELECTOR_ERC20_TRANSFER && selector != SELECTOR_ERC20_APPROVE {
        return None;
    }
    data.get(36..68).map(U256::from_be_slice)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    Native(U256),
    Erc20 { token: Address, allowance: U256 },
    Gas(U256),
}

impl Limit {
    fn kind(self) -> &'static str {
        self.permission_kind().wire_name()
    }

    fn permission_kind(self) -> PermissionKind {
        match self {
            Self::Native(_) => PermissionKind::NativeTokenTransfer,
            Self::Erc20 { .. } => PermissionKind::Erc20TokenTransfer,
            Self::Gas(_) => PermissionKind::GasLimit,
        }
    }

    fn token(self) -> Option<Address> {
        match self {
            Self::Erc20 { token, .. } => Some(token),
            _ => None,
        }
    }

    fn amount(self) -> U256 {
        match self {
            Self::Native(a) | Self::Gas(a) | Self::Erc20 { allowance: a, .. } => a,
        }
    }
}

fn limited(permissions: &[Permission]) -> impl Iterator<Item = (usize, Limit)> + '_ {
    permissions.iter().enumerate().filter_map(|(i, p)| match p {
        Permission::NativeTokenTransfer { allowance } => Some((i, Limit::Native(*allowance))),
        Permission::Erc20TokenTransfer { allowance, address } => {
            Some((i, Limit::Erc20 { token: *address, allowance: *allowance }))
        }
        Permission::GasLimit { limit } => Some((i, Limit::Gas(*limit))),
        _ => None,
    })
}

fn line(
    index: usize,
    limit: Limit,
    used: U256,
    source: UsageSource,
    note: Option<String>,
    currency: &'static NativeCurrency,
    tokens: &HashMap<Address, TokenInfo>,
) -> UsageLine {
    let title = limit.permission_kind().title(currency.symbol);
    let (label, format): (String, Box<dyn Fn(U256) -> String>) = match limit {
        Limit::Native(_) | Limit::Gas(_) => (title, Box::new(|v| format_native(v, currency))),
        Limit::Erc20 { token, .. } => match tokens.get(&token) {
            Some(info) => {
                let (symbol, decimals) = (info.symbol.clone(), info.decimals);
                (
                    format!("{title}: {} ({token})", info.symbol),
                    Box::new(move |v| format!("{} {symbol}", format_units(v, decimals))),
                )
            }
            None => (format!("{title}: {token}"), Box::new(|v| format!("{v} raw units (decimals unknown)"))),
        },
    };
    UsageLine {
        permission_index: index,
        label,
        used: used.to_string(),
        limit: limit.amount().to_string(),
        used_formatted: format(used),
        limit_formatted: format(limit.amount()),
        source,
        note,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use alloy_primitives::address;
    use warden_core::chains::ETHER;

    #[test]
    fn erc20_amounts_of_transfer_and_approve_only() {
        let mut data = SELECTOR_ERC20_TRANSFER.to_vec();
        data.extend_from_slice(&[0u8; 32]);
        data.extend_from_slice(&U256::from(1234u64).to_be_bytes::<32>());
        assert_eq!(erc20_amount(&data), Some(U256::from(1234u64)));
        data[..4].copy_from_slice(&SELECTOR_ERC20_APPROVE);
        assert_eq!(erc20_amount(&data), Some(U256::from(1234u64)));
        data[..4].copy_from_slice(&[1, 2, 3, 4]);
        assert_eq!(erc20_amount(&data), None);
        assert_eq!(erc20_amount(&SELECTOR_ERC20_TRANSFER), None);
    }

    #[test]
    fn lines_format_with_units_or_raw() {
        let usdc = address!("A0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48");
        let tokens = HashMap::from([(usdc, TokenInfo { symbol: "USDC".into(), decimals: 6 })]);
        let l = line(
            2,
            Limit::Erc20 { token: usdc, allowance: U256::from(250_000_000u64) },
            U256::from(1_500_000u64),
            UsageSource::Observed,
            None,
            &ETHER,
            &tokens,
        );
        assert_eq!((l.used.as_str(), l.limit.as_str()), ("1500000", "250000000"));
        assert_eq!((l.used_formatted.as_str(), l.limit_formatted.as_str()), ("1.5 USDC", "250 USDC"));
        let l = line(
            0,
            Limit::Erc20 { token: usdc, allowance: U256::from(5u64) },
            U256::ZERO,
            UsageSource::Devnet,
            None,
            &ETHER,
            &HashMap::new(),
        );
        assert_eq!(l.limit_formatted, "5 raw units (decimals unknown)");
        let l = line(
            1,
            Limit::Native(U256::from(10u64).pow(U256::from(17u64))),
            U256::ZERO,
            UsageSource::Devnet,
            None,
            &ETHER,
            &tokens,
        );
        assert_eq!(
            (l.label.as_str(), l.used_formatted.as_str(), l.limit_formatted.as_str()),
            ("ETH spending limit", "0 ETH", "0.1 ETH")
        );
        let gas = Limit::Gas(U256::from(10u64).pow(U256::from(18u64)));
        let l = line(
            3,
            gas,
            U256::from(10u64).pow(U256::from(17u64)),
            UsageSource::Observed,
            None,
            native_currency(137),
            &tokens,
        );
        assert_eq!(
            (l.label.as_str(), l.used_formatted.as_str(), l.limit_formatted.as_str()),
            ("Network fee limit", "0.1 POL", "1 POL")
        );
        let l = line(4, gas, U256::ZERO, UsageSource::Observed, None, native_currency(56), &tokens);
        assert_eq!(l.limit_formatted, "1 BNB");
    }
}
