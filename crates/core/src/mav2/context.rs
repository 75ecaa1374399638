//! The permissions context (protocol.md §3.11): version byte ‖ payload.
//!
//! * `0x00` remote deferred action: 16-byte session id ‖ owner signature (65 bytes).
//! * `0x01` local deferred action: the SDK's own deferred-action blob (opaque here).
//! * `0x02` non-deferred: isGlobal byte (`0x01` = global) ‖ uint32 entity id.

use alloy_primitives::{Bytes, FixedBytes};

use super::Mav2Error;

/// Length of a session id.
pub const SESSION_ID_LEN: usize = 16;
/// Length of an ECDSA signature.
pub const SIGNATURE_LEN: usize = 65;

/// A decoded permissions context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Context {
    /// `0x00`: what `wallet_createSession` + the owner's signature produce.
    Remote { session_id: FixedBytes<16>, signature: Bytes },
    /// `0x01`: a client-built deferred action.
    Local { deferred_action: Bytes },
    /// `0x02`: a validation already installed on chain.
    NonDeferred { is_global: bool, entity_id: u32 },
}

impl Context {
    /// The version byte.
    pub fn version(&self) -> u8 {
        match self {
            Self::Remote { .. } => 0x00,
            Self::Local { .. } => 0x01,
            Self::NonDeferred { .. } => 0x02,
        }
    }

    /// version ‖ payload.
    pub fn encode(&self) -> Bytes {
        let mut v = vec![self.version()];
        match self {
            Self::Remote { session_id, signature } => {
                v.extend_from_slice(session_id.as_slice());
                v.extend_from_slice(signature);
            }
            Self::Local { deferred_action } => v.extend_from_slice(deferred_action),
            Self::NonDeferred { is_global, entity_id } => {
                v.push(u8::from(*is_global));
                v.extend_from_slice(&entity_id.to_be_bytes());
            }
        }
        v.into()
    }

    /// Parses a context. A remote context must carry exactly a 16-byte session id and a
    /// 65-byte signature; a non-deferred one exactly 5 bytes of payload.
    pub fn decode(bytes: &[u8]) -> Result<Self, Mav2Error> {
        let malformed = |reason: String| Mav2Error::Malformed { what: "context", reason };
        let (&version, payload) = bytes.split_first().ok_or_else(|| malformed("is empty".into()))?;
        match version {
            0x00 => {
                if payload.len() != SESSION_ID_LEN + SIGNATURE_LEN {
                    return Err(malformed(format!(
                        "version 0x00 needs a 16-byte session id and a 65-byte signature (81 bytes), got {} bytes",
                        payload.len()
                    )));
                }
                Ok(Self::Remote {
                    session_id: FixedBytes::from_slice(&payload[..SESSION_ID_LEN]),
                    signature: Bytes::copy_from_slice(&payload[SESSION_ID_LEN..]),
                })
            }
            0x01 => {
                if payload.is_empty() {
                    return Err(malformed("version 0x01 carries no deferred action".into()));
                }
                Ok(Self::Local { deferred_action: Bytes::copy_from_slice(payload) })
            }
            0x02 => {
                let [g, a, b, c, d] = <[u8; 5]>::try_from(payload).map_err(|_| {
                    malformed(format!(
                        "version 0x02 needs 1 byte isGlobal and a 4-byte entity id, got {} bytes",
                        payload.len()
                    ))
                })?;
                Ok(Self::NonDeferred { is_global: g == 0x01, entity_id: u32::from_be_bytes([a, b, c, d]) })
            }
            v => Err(malformed(format!("unknown version {v:#04x} (known: 0x00, 0x01, 0x02)"))),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn non_deferred_vectors() {
        let c = Context::NonDeferred { is_global: true, entity_id: 1 };
        assert_eq!(c.encode().to_string(), "0x020100000001");
        assert_eq!(Context::decode(&c.encode()).unwrap(), c);
        let c = Context::decode(&[0x02, 0x00, 0x7f, 0xff, 0xff, 0xfe]).unwrap();
        assert_eq!(c, Context::NonDeferred { is_global: false, entity_id: 0x7fff_fffe });
    }

    #[test]
    fn bad_lengths_and_versions() {
        assert!(Context::decode(&[]).is_err());
        assert!(Context::decode(&[0x00; 82]).is_ok());
        assert!(Context::decode(&[0x00; 81]).is_err());
        assert!(Context::decode(&[0x02, 1, 0, 0, 0]).is_err());
        assert!(Context::decode(&[0x03, 1]).is_err());
    }
}
