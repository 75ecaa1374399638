//! Native amounts a person types (`--value`, `--max-fee`, a calls file's `value`s), in the
//! chain's own currency: `0.01pol` on Polygon, `0.01bnb` on BNB Smart Chain, `0.01eth` on
//! Ethereum and the devnet.
//!
//! An amount is read in two steps, because the flags are parsed before the chain is known
//! (it comes from the credentials or the connection): [`NativeAmount::from_str`] checks the
//! shape (a number and a unit), [`NativeAmount::in_wei`] settles the unit with the chain's
//! [`NativeCurrency`]. Units: `wei` (or none), `gwei` (10^9 wei), `ether` (10^18 wei, the
//! EVM's unit name, on every chain), and the chain's currency symbol with its decimals,
//! case-insensitive. `eth` is the symbol of ether chains only: on Polygon `0.01eth` is
//! refused rather than read as 0.01 POL. `0x` hex is wei.
//!
//! Left out: amounts in another chain's currency or in tokens (no prices here).

use std::fmt;
use std::str::FromStr;

use alloy_primitives::U256;
use alloy_primitives::utils::parse_units;
use warden_core::chains::NativeCurrency;

/// A native amount as typed, its unit not yet settled against a chain's currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NativeAmount {
    text: String,
    shape: Shape,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// `0x…`: wei, already exact.
    Hex(U256),
    /// A decimal number and its unit, lower case (`""` for wei).
    Decimal { number: String, unit: String },
}

/// Why an amount cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("{text:?} is negative")]
    Negative { text: String },
    #[error("{text:?} is not a hex amount: {reason}")]
    BadHex { text: String, reason: String },
    #[error("{text:?} has no number")]
    NoNumber { text: String },
    #[error("{text:?} is not a number with an optional unit: {reason}")]
    BadNumber { text: String, reason: String },
    #[error("{text:?} is not a whole number of wei")]
    FractionOfWei { text: String },
    #[error("unit {unit:?} is not {symbol}, ether, gwei or wei (this chain's currency is {symbol})")]
    UnknownUnit { unit: String, symbol: &'static str },
    #[error(
        "unit \"eth\": this chain's currency is {symbol}, not ETH; write the amount in {symbol} (e.g. 0.01{}), or in ether for 10^18 wei",
        symbol.to_lowercase()
    )]
    NotEther { symbol: &'static str },
}

impl FromStr for NativeAmount {
    type Err = AmountError;

    fn from_str(text: &str) -> Result<Self, AmountError> {
        let err_text = || text.to_owned();
        let s = text.trim().to_ascii_lowercase();
        if s.starts_with('-') {
            return Err(AmountError::Negative { text: err_text() });
        }
        if let Some(hex) = s.strip_prefix("0x") {
            let wei = U256::from_str_radix(hex, 16)
                .map_err(|e| AmountError::BadHex { text: err_text(), reason: e.to_string() })?;
            return Ok(Self { text: err_text(), shape: Shape::Hex(wei) });
        }
        let split = s.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(s.len());
        let (number, unit) = (s[..split].trim(), s[split..].trim());
        if number.is_empty() {
            return Err(AmountError::NoNumber { text: err_text() });
        }
        // The number's shape is checked now, so a typo fails while the flags are read.
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !digits(whole) || !digits(fraction) {
            return Err(AmountError::BadNumber {
                text: err_text(),
                reason: "write digits with at most one decimal point, then the unit".to_owned(),
            });
        }
        Ok(Self { text: err_text(), shape: Shape::Decimal { number: number.to_owned(), unit: unit.to_owned() } })
    }
}

impl NativeAmount {
    /// The amount in wei on a chain paying in `currency`.
    pub fn in_wei(&self, currency: &NativeCurrency) -> Result<U256, AmountError> {
        let (number, unit) = match &self.shape {
            Shape::Hex(wei) => return Ok(*wei),
            Shape::Decimal { number, unit } => (number, unit.as_str()),
        };
        let decimals = match unit {
            "" | "wei" => 0,
            "gwei" => 9,
            "ether" => 18,
            u if u.eq_ignore_ascii_case(currency.symbol) => currency.decimals,
            "eth" => return Err(AmountError::NotEther { symbol: currency.symbol }),
            other => return Err(AmountError::UnknownUnit { unit: other.to_owned(), symbol: currency.symbol }),
        };
        if number.split_once('.').is_some_and(|(_, fraction)| fraction.len() > usize::from(decimals)) {
            return Err(AmountError::FractionOfWei { text: self.text.clone() });
        }
        parse_units(number, decimals)
            .map(|p| p.get_absolute())
            .map_err(|e| AmountError::BadNumber { text: self.text.clone(), reason: e.to_string() })
    }
}

impl fmt::Display for NativeAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// An amount read and settled in one step (a calls file, read once the chain is known).
pub fn parse_native(text: &str, currency: &NativeCurrency) -> Result<U256, AmountError> {
    text.parse::<NativeAmount>()?.in_wei(currency)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use warden_core::chains::{ETHER, LOCAL_CHAIN_ID, native_currency};

    use super::*;

    const POLYGON: u32 = 137;
    const BNB_CHAIN: u32 = 56;

    #[test]
    fn amounts_take_units() {
        let eth = native_currency(LOCAL_CHAIN_ID);
        let milli = U256::from(10u64.pow(15));
        for text in [
            "0.001ether",
            "0.001 ETH",
            "0.001eth",
            "1000000gwei",
            "1000000000000000",
            "1000000000000000wei",
            "0x38d7ea4c68000",
        ] {
            assert_eq!(parse_native(text, eth), Ok(milli), "{text}");
        }
        for bad in ["-1", "1 btc", "ether", "0.5wei", "0.0000000001gwei", "1e18", "0xzz", "1.2.3"] {
            assert!(parse_native(bad, eth).is_err(), "{bad}");
        }
    }

    #[test]
    fn polygon_amounts_are_in_pol() {
        let pol = native_currency(POLYGON);
        let tenth = U256::from(10u64.pow(17));
        assert_eq!(parse_native("0.1pol", pol), Ok(tenth));
        assert_eq!(parse_native("0.1 POL", pol), Ok(tenth));
        assert_eq!(parse_native("0.1ether", pol), Ok(tenth), "ether is the 10^18 unit everywhere");
        assert_eq!(parse_native("100000000gwei", pol), Ok(tenth));
        let e = parse_native("0.1eth", pol).unwrap_err();
        assert_eq!(e, AmountError::NotEther { symbol: "POL" });
        assert!(e.to_string().contains("this chain's currency is POL, not ETH"), "{e}");
        let e = parse_native("1 bnb", pol).unwrap_err();
        assert_eq!(e.to_string(), "unit \"bnb\" is not POL, ether, gwei or wei (this chain's currency is POL)");
    }

    #[test]
    fn bnb_chain_amounts_are_in_bnb() {
        let bnb = native_currency(BNB_CHAIN);
        assert_eq!(parse_native("0.25bnb", bnb), Ok(U256::from(25u64) * U256::from(10u64.pow(16))));
        assert_eq!(parse_native("2 BNB", bnb), Ok(U256::from(2u64) * U256::from(10u64.pow(18))));
        assert!(matches!(parse_native("1pol", bnb), Err(AmountError::UnknownUnit { symbol: "BNB", .. })));
    }

    #[test]
    fn symbols_with_digits_and_few_decimals() {
        let usdt0 = native_currency(988);
        assert_eq!(usdt0.symbol, "USDT0");
        assert_eq!(parse_native("1usdt0", usdt0), Ok(U256::from(10u64.pow(18))));
        let six = NativeCurrency { name: "Six", symbol: "SIX", decimals: 6 };
        assert_eq!(parse_native("1.5six", &six), Ok(U256::from(1_500_000u64)));
        assert_eq!(parse_native("0.0000001six", &six), Err(AmountError::FractionOfWei { text: "0.0000001six".into() }));
        assert_eq!(ETHER.symbol, "ETH");
    }

    #[test]
    fn the_shape_is_checked_before_the_chain_is_known() {
        assert!("1.2.3ether".parse::<NativeAmount>().is_err());
        assert!("pol".parse::<NativeAmount>().is_err());
        assert!("-1".parse::<NativeAmount>().is_err());
        let a: NativeAmount = "0.5 POL".parse().unwrap();
        assert_eq!(a.to_string(), "0.5 POL");
    }
}
