//! Permissions in words, with units, and the risks a person should weigh before approving.
//!
//! The same text is shown by the CLI before `warden grant` asks for confirmation and by the
//! app's approval dialog, so it lives here. Amounts are exact (no floating point): native
//! amounts in the chain's currency (ETH, POL, BNB, …) or gwei. A token's `decimals()` comes
//! from the chain's node and decides what "100 USDC" means, so an ERC-20 amount always shows
//! the base units the grant actually carries next to the formatted amount; a token whose
//! decimals could not be read is shown in base units only and flagged
//! (`token-decimals-unknown`), and [`decimals_changed`] flags a token whose decimals differ
//! from the ones the amounts were entered with (`token-decimals-changed`).

use std::collections::HashMap;

use alloy_primitives::{Address, U256};
use serde::Serialize;

use super::validate::privileged_selector_name;
use super::{Permission, PermissionKind};
use crate::chains::NativeCurrency;

/// Symbol and decimals of an ERC-20 token, when the chain told us.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub symbol: String,
    pub decimals: u8,
}

/// How much a risk matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// A risk of a grant, with a stable `code` for the UI (a risky permission type's risk is coded
/// by its wire name) and a sentence for people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RiskFlag {
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

/// A grant in words: one line per permission, the expiry, and the risks (most severe first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Description {
    pub permissions: Vec<String>,
    pub expiry: String,
    pub risks: Vec<RiskFlag>,
}

/// An allowance at or above this is "unlimited" for every practical purpose.
fn unlimited_threshold() -> U256 {
    U256::from(1) << 128
}

const SECONDS_PER_DAY: u64 = 86_400;

/// Describes a permission list (validated or not) granted until `expiry_sec` (0 = never),
/// as seen at `now`, on a chain paying in `currency`. `tokens` supplies symbol and decimals
/// of known ERC-20 tokens.
pub fn describe(
    permissions: &[Permission],
    expiry_sec: u64,
    now: u64,
    currency: &NativeCurrency,
    tokens: &HashMap<Address, TokenInfo>,
) -> Description {
    let mut lines = Vec::with_capacity(permissions.len());
    let mut risks = Vec::new();
    for p in permissions {
        lines.push(describe_one(p, currency, tokens));
        risks_of(p, currency, tokens, &mut risks);
    }

    let expiry = if expiry_sec == 0 {
        risks.push(RiskFlag {
            severity: Severity::High,
            code: "no-expiry",
            message: "The session never expires: it stays valid until you revoke it.".into(),
        });
        "never expires".to_owned()
    } else {
        let left = expiry_sec.saturating_sub(now);
        if left > 30 * SECONDS_PER_DAY {
            risks.push(RiskFlag {
                severity: Severity::Medium,
                code: "long-expiry",
                message: format!("The session stays valid for {}, more than 30 days.", format_duration(left)),
            });
        }
        if expiry_sec <= now {
            format!("expired (at unix time {expiry_sec})")
        } else {
            format!("expires at unix time {expiry_sec} (in {})", format_duration(left))
        }
    };
    risks.sort_by_key(|r| std::cmp::Reverse(r.severity));
    Description { permissions: lines, expiry, risks }
}

fn token_amount(amount: U256, token: Address, tokens: &HashMap<Address, TokenInfo>) -> String {
    if amount >= unlimited_threshold() {
        return "an unlimited amount".into();
    }
    match tokens.get(&token) {
        Some(info) => format!(
            "{} {} ({amount} base units at {} decimals)",
            format_units(amount, info.decimals),
            info.symbol,
            info.decimals
        ),
        None => format!("{amount} base units (the token's decimals could not be read from the node)"),
    }
}

/// Flags each ERC-20 permission whose token's decimals, as read now (`tokens`), differ
/// from `entered`: the decimals its amount was typed with (in a wizard that read them
/// earlier). The base units were computed with the old decimals, so the amount no longer
/// means what the person typed.
pub fn decimals_changed(
    permissions: &[Permission],
    entered: &HashMap<Address, u8>,
    tokens: &HashMap<Address, TokenInfo>,
) -> Vec<RiskFlag> {
    let mut out = Vec::new();
    for p in permissions {
        let Permission::Erc20TokenTransfer { allowance, address } = p else { continue };
        let Some(&was) = entered.get(address) else { continue };
        let message = match tokens.get(address) {
            Some(now) if now.decimals == was => continue,
            Some(now) => format!(
                "Token {address}: the amount was entered with {was} decimals, but the node now says {}: {allowance} base units are {} {}, not {} as entered.",
                now.decimals,
                format_units(*allowance, now.decimals),
                now.symbol,
                format_units(*allowance, was)
            ),
            None => format!(
                "Token {address}: the amount was entered with {was} decimals, which the node no longer confirms: check the {allowance} base units."
            ),
        };
        out.push(RiskFlag { severity: Severity::High, code: "token-decimals-changed", message });
    }
    out
}

fn selectors(functions: &[alloy_primitives::Bytes]) -> String {
    functions
        .iter()
        .map(|f| {
            let name = <[u8; 4]>::try_from(f.as_ref()).ok().and_then(privileged_selector_name);
            match name {
                Some(n) => format!("{f} ({n})"),
                None => f.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_one(p: &Permission, currency: &NativeCurrency, tokens: &HashMap<Address, TokenInfo>) -> String {
    match p {
        Permission::NativeTokenTransfer { allowance } if *allowance >= unlimited_threshold() => {
            format!("Send an unlimited amount of {}", currency.symbol)
        }
        Permission::NativeTokenTransfer { allowance } => {
            format!("Send up to {} in total", format_native(*allowance, currency))
        }
        Permission::Erc20TokenTransfer { allowance, address } => {
            format!(
                "Transfer or approve up to {} of token {address} in total",
                token_amount(*allowance, *address, tokens)
            )
        }
        Permission::GasLimit { limit } => format!("Spend up to {} on gas in total", format_native(*limit, currency)),
        Permission::ContractAccess { address } => format!("Call any function on contract {address}"),
        Permission::AccountFunctions { functions } => {
            format!("Call these functions on the account itself: {}", selectors(functions))
        }
        Permission::FunctionsOnAllContracts { functions } => {
            format!("Call these functions on any contract: {}", selectors(functions))
        }
        Permission::FunctionsOnContract { address, functions } => {
            format!("Call these functions on contract {address}: {}", selectors(functions))
        }
        Permission::Root => "Full control of the account (root)".into(),
    }
}

fn risks_of(p: &Permission, currency: &NativeCurrency, tokens: &HashMap<Address, TokenInfo>, out: &mut Vec<RiskFlag>) {
    let huge_native = U256::from(100u64) * U256::from(10u64).pow(U256::from(currency.decimals));
    match p {
        Permission::Root => out.push(RiskFlag {
            severity: Severity::Critical,
            code: PermissionKind::Root.wire_name(),
            message: "Root access: the session key can do anything the owner can, including moving every asset.".into(),
        }),
        Permission::FunctionsOnAllContracts { .. } => out.push(RiskFlag {
            severity: Severity::High,
            code: PermissionKind::FunctionsOnAllContracts.wire_name(),
            message: "These functions may be called on every contract, including tokens you hold.".into(),
        }),
        Permission::AccountFunctions { .. } => out.push(RiskFlag {
            severity: Severity::High,
            code: PermissionKind::AccountFunctions.wire_name(),
            message: "The session may call functions on the account itself.".into(),
        }),
        Permission::NativeTokenTransfer { allowance } | Permission::GasLimit { limit: allowance } => {
            if *allowance >= unlimited_threshold() {
                out.push(RiskFlag {
                    severity: Severity::Critical,
                    code: "unlimited-allowance",
                    message: format!("{}: the allowance is effectively unlimited.", p.kind().title(currency.symbol)),
                });
            } else if *allowance >= huge_native {
                out.push(RiskFlag {
                    severity: Severity::Medium,
                    code: "huge-allowance",
                    message: format!(
                        "{}: the allowance is large ({}).",
                        p.kind().title(currency.symbol),
                        format_native(*allowance, currency)
                    ),
                });
            }
        }
        Permission::Erc20TokenTransfer { allowance, address } => {
            if *allowance >= unlimited_threshold() {
                out.push(RiskFlag {
                    severity: Severity::Critical,
                    code: "unlimited-allowance",
                    message: format!("Token {address}: the allowance is effectively unlimited."),
                });
            } else if !tokens.contains_key(address) {
                out.push(RiskFlag {
                    severity: Severity::Medium,
                    code: "token-decimals-unknown",
                    message: format!(
                        "Token {address}: its decimals could not be read from the node, so the allowance is shown in base units only ({allowance}): check it against the token."
                    ),
                });
            } else if let Some(info) = tokens.get(address) {
                let billion = U256::from(10u64).pow(U256::from(u64::from(info.decimals) + 9));
                if *allowance >= billion {
                    out.push(RiskFlag {
                        severity: Severity::Medium,
                        code: "huge-allowance",
                        message: format!(
                            "Token {address}: the allowance is large ({}).",
                            token_amount(*allowance, *address, tokens)
                        ),
                    });
                }
            }
        }
        Permission::ContractAccess { .. } | Permission::FunctionsOnContract { .. } => {}
    }
}

/// Exact decimal rendering of `amount / 10^decimals`, trailing zeros trimmed.
pub fn format_units(amount: U256, decimals: u8) -> String {
    let digits = amount.to_string();
    let decimals = usize::from(decimals);
    if decimals == 0 {
        return digits;
    }
    let padded = format!("{digits:0>width$}", width = decimals + 1);
    let (int, frac) = padded.split_at(padded.len() - decimals);
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { int.to_owned() } else { format!("{int}.{frac}") }
}

/// A native amount (in wei, the currency's smallest unit) as a person reads it, in the
/// chain's `currency`: in its symbol from 0.0001 of it up (`0.01 POL`), in gwei from 0.001
/// gwei up when the currency has more than 9 decimals (`2 gwei`), else in wei.
pub fn format_native(wei: U256, currency: &NativeCurrency) -> String {
    let decimals = u64::from(currency.decimals);
    if wei.is_zero() || wei >= U256::from(10u64).pow(U256::from(decimals.saturating_sub(4))) {
        format!("{} {}", format_units(wei, currency.decimals), currency.symbol)
    } else if decimals > 9 && wei >= U256::from(1_000_000u64) {
        format!("{} gwei", format_units(wei, 9))
    } else {
        format!("{wei} wei")
    }
}

fn format_duration(secs: u64) -> String {
    let days = secs / SECONDS_PER_DAY;
    let hours = (secs % SECONDS_PER_DAY) / 3600;
    let minutes = (secs % 3600) / 60;
    match (days, hours, minutes) {
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::chains::{ETHER, LOCAL_CHAIN_ID, native_currency};
    use alloy_primitives::{address, bytes};

    const POLYGON: u32 = 137;
    const BNB_CHAIN: u32 = 56;

    #[test]
    fn units() {
        assert_eq!(format_units(U256::from(1_500_000u64), 6), "1.5");
        assert_eq!(format_units(U256::from(5u64), 6), "0.000005");
        assert_eq!(format_units(U256::from(7u64), 0), "7");
        let eth = native_currency(LOCAL_CHAIN_ID);
        assert_eq!(format_native(U256::from(1_000_000_000_000_000u64), eth), "0.001 ETH");
        assert_eq!(format_native(U256::from(100_000_000_000_000u64), eth), "0.0001 ETH");
        assert_eq!(format_native(U256::from(2_000_000_000u64), eth), "2 gwei");
        assert_eq!(format_native(U256::from(12u64), eth), "12 wei");
        assert_eq!(format_native(U256::ZERO, eth), "0 ETH");
    }

    #[test]
    fn native_amounts_in_the_chains_currency() {
        let pol = native_currency(POLYGON);
        assert_eq!(format_native(U256::from(1_500_000_000_000_000_000u64), pol), "1.5 POL");
        assert_eq!(format_native(U256::ZERO, pol), "0 POL");
        assert_eq!(format_native(U256::from(30_000_000_000u64), pol), "30 gwei");
        let bnb = native_currency(BNB_CHAIN);
        assert_eq!(format_native(U256::from(10u64).pow(U256::from(16u64)), bnb), "0.01 BNB");
        // A currency with few decimals is never shown in gwei.
        let six = NativeCurrency { name: "Six", symbol: "SIX", decimals: 6 };
        assert_eq!(format_native(U256::from(1_000u64), &six), "0.001 SIX");
        assert_eq!(format_native(U256::from(99u64), &six), "99 wei");
        let none = NativeCurrency { name: "Whole", symbol: "W", decimals: 0 };
        assert_eq!(format_native(U256::from(3u64), &none), "3 W");
        assert_eq!(ETHER.symbol, "ETH");
    }

    #[test]
    fn descriptions_name_the_chains_currency() {
        let tenth = U256::from(10u64).pow(U256::from(17u64));
        let grant = [Permission::NativeTokenTransfer { allowance: tenth }, Permission::GasLimit { limit: tenth }];
        let d = describe(&grant, 2_000, 1_000, native_currency(POLYGON), &HashMap::new());
        assert_eq!(d.permissions, ["Send up to 0.1 POL in total", "Spend up to 0.1 POL on gas in total"]);
        let d = describe(&grant, 2_000, 1_000, native_currency(BNB_CHAIN), &HashMap::new());
        assert_eq!(d.permissions, ["Send up to 0.1 BNB in total", "Spend up to 0.1 BNB on gas in total"]);
        let huge = [Permission::NativeTokenTransfer { allowance: tenth * U256::from(1_000u64) }];
        let d = describe(&huge, 2_000, 1_000, native_currency(BNB_CHAIN), &HashMap::new());
        assert_eq!(d.risks[0].message, "BNB spending limit: the allowance is large (100 BNB).");
        let unlimited = [Permission::NativeTokenTransfer { allowance: U256::MAX }];
        let d = describe(&unlimited, 2_000, 1_000, native_currency(POLYGON), &HashMap::new());
        assert_eq!(d.permissions, ["Send an unlimited amount of POL"]);
    }

    #[test]
    fn descriptions_and_risks() {
        let usdc = address!("A0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48");
        let tokens = HashMap::from([(usdc, TokenInfo { symbol: "USDC".into(), decimals: 6 })]);
        let d = describe(
            &[
                Permission::NativeTokenTransfer { allowance: U256::from(10u64).pow(U256::from(16u64)) },
                Permission::Erc20TokenTransfer { allowance: U256::from(250_000_000u64), address: usdc },
                Permission::FunctionsOnAllContracts { functions: vec![bytes!("a9059cbb")] },
            ],
            1_000 + 40 * SECONDS_PER_DAY,
            1_000,
            &ETHER,
            &tokens,
        );
        assert_eq!(d.permissions[0], "Send up to 0.01 ETH in total");
        assert!(d.permissions[1].starts_with("Transfer or approve up to 250 USDC"), "{}", d.permissions[1]);
        let codes: Vec<_> = d.risks.iter().map(|r| r.code).collect();
        assert_eq!(codes, ["functions-on-all-contracts", "long-expiry"]);

        let d = describe(&[Permission::Root], 0, 1_000, &ETHER, &HashMap::new());
        assert_eq!(d.risks[0].code, "root");
        assert_eq!(d.risks[0].severity, Severity::Critical);
        assert_eq!(d.risks[1].code, "no-expiry");
        assert_eq!(d.expiry, "never expires");

        let d = describe(
            &[Permission::Erc20TokenTransfer { allowance: U256::MAX, address: usdc }],
            2_000,
            1_000,
            &ETHER,
            &HashMap::new(),
        );
        assert_eq!(d.risks[0].code, "unlimited-allowance");
        assert!(d.permissions[0].contains("unlimited"));
    }

    #[test]
    fn unknown_decimals_are_labelled_as_base_units_and_flagged() {
        let t = address!("C02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2");
        let d = describe(
            &[Permission::Erc20TokenTransfer { allowance: U256::from(42u64), address: t }],
            0,
            0,
            &ETHER,
            &HashMap::new(),
        );
        assert_eq!(
            d.permissions[0],
            format!(
                "Transfer or approve up to 42 base units (the token's decimals could not be read from the node) of token {t} in total"
            )
        );
        let flag = d.risks.iter().find(|r| r.code == "token-decimals-unknown").unwrap();
        assert_eq!(flag.severity, Severity::Medium);
    }

    #[test]
    fn token_amounts_show_their_base_units_and_changed_decimals_are_flagged() {
        let usdc = address!("A0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48");
        let tokens = HashMap::from([(usdc, TokenInfo { symbol: "USDC".into(), decimals: 6 })]);
        let grant = [Permission::Erc20TokenTransfer { allowance: U256::from(100_000_000u64), address: usdc }];
        let d = describe(&grant, 0, 0, &ETHER, &tokens);
        assert!(d.permissions[0].contains("100 USDC (100000000 base units at 6 decimals)"), "{}", d.permissions[0]);
        assert!(d.risks.iter().all(|r| r.code != "token-decimals-unknown"));

        assert!(decimals_changed(&grant, &HashMap::from([(usdc, 6)]), &tokens).is_empty());
        assert!(decimals_changed(&grant, &HashMap::new(), &tokens).is_empty());
        let flags = decimals_changed(&grant, &HashMap::from([(usdc, 18)]), &tokens);
        assert_eq!(flags.len(), 1);
        assert_eq!((flags[0].code, flags[0].severity), ("token-decimals-changed", Severity::High));
        assert!(flags[0].message.contains("entered with 18 decimals, but the node now says 6"), "{}", flags[0].message);
        assert!(flags[0].message.contains("100000000 base units are 100 USDC, not 0.0000000001 as entered"));
        let unread = decimals_changed(&grant, &HashMap::from([(usdc, 6)]), &HashMap::new());
        assert_eq!(unread[0].code, "token-decimals-changed");
    }
}
