//! `wallet_getCapabilities` (protocol.md §4.9): what the server supports, per chain.
//!
//! The only method whose `params` array is positional (`[address]` or `[address,
//! [chainId…]]`), so its params type serializes to the whole array. The capability values
//! themselves are free-form JSON; the server keys everything under `"0x0"` today.

use std::collections::BTreeMap;

use alloy_primitives::Address;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _, ser::SerializeSeq};
use serde_json::{Map, Value};

use super::json_kind;
use crate::wire;

/// `wallet_getCapabilities` params (the whole `params` array).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetCapabilitiesParams {
    pub address: Address,
    /// Restrict the answer to these chains.
    pub chain_ids: Option<Vec<u32>>,
}

impl Serialize for GetCapabilitiesParams {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(if self.chain_ids.is_some() { 2 } else { 1 }))?;
        seq.serialize_element(&self.address.to_checksum(None))?;
        if let Some(ids) = &self.chain_ids {
            seq.serialize_element(&ids.iter().map(|id| format!("{id:#x}")).collect::<Vec<_>>())?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for GetCapabilitiesParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let items = Vec::<Value>::deserialize(d)?;
        let (address, chain_ids) = match items.as_slice() {
            [address] => (address, None),
            [address, chain_ids] => (address, Some(chain_ids)),
            _ => {
                return Err(D::Error::custom(format!(
                    "wallet_getCapabilities params must be [address] or [address, [chainId…]], got {} elements",
                    items.len()
                )));
            }
        };
        let address = Address::deserialize(address).map_err(|e| D::Error::custom(format!("address: {e}")))?;
        let chain_ids = chain_ids
            .map(|v| {
                let Value::Array(ids) = v else {
                    return Err(D::Error::custom(format!("chain ids must be an array, got {}", json_kind(v))));
                };
                ids.iter().map(parse_chain_id::<D::Error>).collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        Ok(Self { address, chain_ids })
    }
}

fn parse_chain_id<E: serde::de::Error>(v: &Value) -> Result<u32, E> {
    let Value::String(s) = v else {
        return Err(E::custom(format!("chain id must be a hex string, got {}", json_kind(v))));
    };
    let n = wire::parse_hex_u256(s).map_err(E::custom)?;
    u32::try_from(n).map_err(|_| E::custom(format!("chain id `{s}` does not fit in 32 bits")))
}

/// `wallet_getCapabilities` result: chain id (hex) → capability name → value.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct GetCapabilitiesResult(pub BTreeMap<String, Map<String, Value>>);

impl<'de> Deserialize<'de> for GetCapabilitiesResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let map = BTreeMap::<String, Map<String, Value>>::deserialize(d)?;
        if let Some(bad) = map.keys().find(|k| wire::parse_hex_u256(k).is_err()) {
            return Err(D::Error::custom(format!("capabilities key `{bad}` is not a hex chain id")));
        }
        Ok(Self(map))
    }
}

impl GetCapabilitiesResult {
    /// The capabilities of one chain: its own entry, else the generic `"0x0"` one (where
    /// the server puts everything), as the official client reads it.
    pub fn for_chain(&self, chain_id: u32) -> Option<&Map<String, Value>> {
        let key_is = |k: &str, id: u32| wire::parse_hex_u256(k).is_ok_and(|v| v == alloy_primitives::U256::from(id));
        let find = |id: u32| self.0.iter().find(|(k, _)| key_is(k, id)).map(|(_, v)| v);
        find(chain_id).or_else(|| find(0))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn params_are_positional() {
        let p = GetCapabilitiesParams {
            address: "0x90f79bf6eb2c4f870365e785982e1f101e93b906".parse().unwrap(),
            chain_ids: Some(vec![84532, 8453]),
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v, json!(["0x90F79bf6EB2c4f870365E785982E1f101E93b906", ["0x14a34", "0x2105"]]));
        assert_eq!(serde_json::from_value::<GetCapabilitiesParams>(v).unwrap(), p);
        for (bad, needle) in [
            (json!([]), "got 0 elements"),
            (json!(["0x90F79bf6EB2c4f870365E785982E1f101E93b906", ["0x14a34"], 1]), "got 3 elements"),
            (json!(["0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x14a34"]), "must be an array"),
            (json!(["0x90F79bf6EB2c4f870365E785982E1f101E93b906", [84532]]), "must be a hex string"),
            (json!(["0x90F79bf6EB2c4f870365E785982E1f101E93b906", ["0x100000000"]]), "32 bits"),
            (json!(["0x1234"]), "address"),
        ] {
            let err = serde_json::from_value::<GetCapabilitiesParams>(bad.clone()).unwrap_err();
            assert!(err.to_string().contains(needle), "{bad}: {err}");
        }
    }

    #[test]
    fn chain_lookup_falls_back_to_the_generic_entry() {
        let r: GetCapabilitiesResult = serde_json::from_value(json!({
            "0x0": {"atomic": {"status": "supported"}},
            "0x2105": {"atomic": {"status": "ready"}}
        }))
        .unwrap();
        assert_eq!(r.for_chain(8453).unwrap()["atomic"]["status"], "ready");
        assert_eq!(r.for_chain(84532).unwrap()["atomic"]["status"], "supported");
        let err = serde_json::from_value::<GetCapabilitiesResult>(json!({"base": {}})).unwrap_err();
        assert!(err.to_string().contains("`base` is not a hex chain id"), "{err}");
    }
}
