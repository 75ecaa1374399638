//! Wire encodings of the Wallets API (protocol.md §2) as serde adapters.
//!
//! The API is strict about a few scalar encodings that serde's defaults get wrong:
//! uint256 quantities are minimal hex (`0x0`, `0x1a`), chain ids and other `HexNumber`s are
//! hex that must fit 32 bits, and typed-data integers arrive as JSON numbers, decimal
//! strings or hex strings. Each adapter here serializes the one canonical form and accepts
//! the tolerated variants on input (leading zeros, upper-case digits), and nothing else:
//! an empty `0x`, a sign, or a non-hex digit is an error that names the value.
//!
//! Use them with `#[serde(with = "wire::quantity")]` and friends; the `_opt` variants are
//! for optional fields (pair them with `default` and `skip_serializing_if`).

use alloy_primitives::U256;
use serde::{Deserialize, Deserializer, Serializer, de::Error as _};

/// Parses `0x`-prefixed hex digits (at least one; any case; leading zeros allowed).
pub fn parse_hex_u256(s: &str) -> Result<U256, String> {
    let digits = s
        .strip_prefix("0x")
        .or_else(|| s.strip_prefix("0X"))
        .ok_or_else(|| format!("`{s}` is not a 0x-prefixed hex quantity"))?;
    if digits.is_empty() {
        return Err(format!("`{s}` has no hex digits"));
    }
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("`{s}` contains a non-hex digit"));
    }
    let trimmed = digits.trim_start_matches('0');
    if trimmed.len() > 64 {
        return Err(format!("`{s}` does not fit in 256 bits"));
    }
    U256::from_str_radix(if trimmed.is_empty() { "0" } else { trimmed }, 16).map_err(|e| format!("`{s}`: {e}"))
}

/// Parses a number given as decimal or `0x` hex text (CLI flags, typed-data fields).
pub fn parse_dec_or_hex_u256(s: &str) -> Result<U256, String> {
    let s = s.trim();
    if s.starts_with("0x") || s.starts_with("0X") {
        return parse_hex_u256(s);
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a decimal or 0x-hex number"));
    }
    U256::from_str_radix(s, 10).map_err(|_| format!("`{s}` does not fit in 256 bits"))
}

/// Parses decimal or hex text into a `u64`, naming the value when it does not fit.
pub fn parse_dec_or_hex_u64(s: &str) -> Result<u64, String> {
    let v = parse_dec_or_hex_u256(s)?;
    u64::try_from(v).map_err(|_| format!("`{s}` does not fit in 64 bits"))
}

/// Minimal hex form of a quantity: `0x0`, `0x1a`.
pub fn to_hex(v: U256) -> String {
    format!("{v:#x}")
}

/// Minimal-hex uint256 quantity (`HexBigInt`).
pub mod quantity {
    use super::*;

    pub fn serialize<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(*v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_hex_u256(&s).map_err(D::Error::custom)
    }
}

/// Optional minimal-hex quantity.
pub mod quantity_opt {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<U256>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => quantity::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<U256>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.map(|s| parse_hex_u256(&s).map_err(D::Error::custom)).transpose()
    }
}

/// `HexNumber`: hex text whose value fits 32 bits (chain ids, 7702 nonces, block numbers).
pub mod hex_u32 {
    use super::*;

    pub fn serialize<S: Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:#x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        let v = parse_hex_u256(&s).map_err(D::Error::custom)?;
        u32::try_from(v).map_err(|_| D::Error::custom(format!("`{s}` does not fit in 32 bits")))
    }
}

/// Optional `HexNumber`.
pub mod hex_u32_opt {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => hex_u32::serialize(v, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        let s = Option::<std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.map(|s| {
            let v = parse_hex_u256(&s).map_err(D::Error::custom)?;
            u32::try_from(v).map_err(|_| D::Error::custom(format!("`{s}` does not fit in 32 bits")))
        })
        .transpose()
    }
}

/// EIP-55 checksummed address: how the API writes addresses (alloy's own serde writes
/// lower case). Input is accepted in any case.
pub mod checksum {
    use super::*;
    use alloy_primitives::Address;

    pub fn serialize<S: Serializer>(v: &Address, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_checksum(None))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
        Address::deserialize(d)
    }
}

/// Optional checksummed address.
pub mod checksum_opt {
    use super::*;
    use alloy_primitives::Address;

    pub fn serialize<S: Serializer>(v: &Option<Address>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_str(&v.to_checksum(None)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
        Option::<Address>::deserialize(d)
    }
}

/// A list of checksummed addresses.
pub mod checksum_vec {
    use super::*;
    use alloy_primitives::Address;
    use serde::ser::SerializeSeq;

    pub fn serialize<S: Serializer>(v: &[Address], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for a in v {
            seq.serialize_element(&a.to_checksum(None))?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Address>, D::Error> {
        Vec::<Address>::deserialize(d)
    }
}

/// Lower-case address, as the API writes addresses inside receipt logs.
pub mod lower_address {
    use super::*;
    use alloy_primitives::Address;

    pub fn serialize<S: Serializer>(v: &Address, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("{v:#x}"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Address, D::Error> {
        Address::deserialize(d)
    }
}

/// Maximum `expirySec` the wire schema allows (protocol.md §2).
pub const MAX_EXPIRY_SEC: u64 = 9_999_999_999;

/// `expirySec`: a JSON integer 0…9999999999.
pub mod expiry_sec {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<u64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_u64(*v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        // Kept permissive up to u64 here: the range check belongs to permission validation,
        // which reports it with the field named rather than as a parse failure.
        Option::<u64>::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_tolerated_forms_and_print_minimal() {
        assert_eq!(parse_hex_u256("0x01").unwrap(), U256::from(1));
        assert_eq!(parse_hex_u256("0xFF").unwrap(), U256::from(255));
        assert_eq!(parse_hex_u256("0x0").unwrap(), U256::ZERO);
        assert_eq!(to_hex(U256::ZERO), "0x0");
        assert_eq!(to_hex(U256::from(0x1a)), "0x1a");
        assert!(parse_hex_u256("0x").is_err());
        assert!(parse_hex_u256("12").is_err());
        assert!(parse_hex_u256("0xg1").is_err());
        assert!(parse_hex_u256(&format!("0x1{}", "0".repeat(64))).is_err());
        assert!(parse_hex_u256(&format!("0x000{}", "f".repeat(64))).is_ok());
    }

    #[test]
    fn dec_or_hex() {
        assert_eq!(parse_dec_or_hex_u64("11155111").unwrap(), 11_155_111);
        assert_eq!(parse_dec_or_hex_u64("0xaa36a7").unwrap(), 11_155_111);
        assert!(parse_dec_or_hex_u64("-1").is_err());
        assert!(parse_dec_or_hex_u64("1e3").is_err());
        assert!(parse_dec_or_hex_u64("18446744073709551616").is_err());
    }

    #[test]
    fn hex_u32_rejects_wide_values() {
        #[derive(serde::Deserialize)]
        struct T {
            #[serde(with = "hex_u32")]
            c: u32,
        }
        let ok: T = serde_json::from_str(r#"{"c":"0xffffffff"}"#).unwrap();
        assert_eq!(ok.c, u32::MAX);
        let err = serde_json::from_str::<T>(r#"{"c":"0x100000000"}"#).err().unwrap();
        assert!(err.to_string().contains("32 bits"), "{err}");
    }
}
