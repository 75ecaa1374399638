//! Typed requests and results of the Wallets API methods Warden speaks (SPEC §3–4),
//! exactly as they appear on the wire.
//!
//! Quantities are minimal hex, chain ids are 32-bit `HexNumber`s, unions are discriminated
//! on `type`, and unknown fields are tolerated on input (they are dropped, as zod's strip
//! mode does). Everything here is plain data: hashing and signing live in
//! [`crate::mav2`] and [`crate::signing`].

mod common;
mod session;

pub use common::*;
pub use session::*;
