//! The permission vocabulary: one [`PermissionKind`] per wire `type`, with the title and
//! one-line explanation a person sees for it, wherever they see it (the grant wizard, the
//! approval window, the session card and usage, the CLI prompt and `session inspect`), and
//! [`Permission`], the wire form with each kind's data.
//!
//! The list is declared once, here, in one macro call: each wire name is written once in
//! Rust, and both enums, their serde names and [`Permission::kind`] come from it. The desktop
//! UI's list is generated from it (`warden_desk::payloads::export_bindings` writes
//! `PermissionKind.ts`, `PermissionWire.ts` and `permissionKinds.ts`), so TypeScript has no
//! hand-written copy either. A native limit is titled in the chain's currency ("POL spending
//! limit"): titles carry a `{currency}` placeholder that [`PermissionKind::title`] fills.
//! Left out: translations.

use alloy_primitives::{Address, Bytes, U256};
use serde::{Deserialize, Serialize};

use crate::wire;

/// Declares [`PermissionKind`] and [`Permission`] from one list: each kind's wire name, its
/// data on the wire (none for `root`), title, explanation and whether it is a cumulative limit.
macro_rules! permission_kinds {
    ($(
        $(#[$doc:meta])*
        $name:ident = $wire:literal $({ $($data:tt)* })? => {
            title: $title:literal, hint: $hint:literal, limit: $limit:literal $(,)?
        }
    ),* $(,)?) => {
        /// A session permission's type, as on the wire (`type` of a permission object).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum PermissionKind {
            $($(#[$doc])* #[serde(rename = $wire)] $name,)*
        }

        /// One permission exactly as on the wire (protocol.md §3.10): an element of
        /// `wallet_createSession.permissions`. Amounts are 0x-hex quantities. Commands read
        /// permissions as JSON and check them with the core's rules (`permissions::validate`),
        /// so a malformed one gets a field-level error.
        #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(tag = "type", content = "data")]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(rename = "PermissionWire"))]
        pub enum Permission {
            $($(#[$doc])* #[serde(rename = $wire)] $name $({ $($data)* })?,)*
        }

        impl PermissionKind {
            /// Every kind, in the order the grant wizard offers them.
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// The wire `type` string.
            pub fn wire_name(self) -> &'static str {
                match self {
                    $(Self::$name => $wire,)*
                }
            }

            /// The title with its `{currency}` placeholder (for generated UI code).
            pub fn title_template(self) -> &'static str {
                match self {
                    $(Self::$name => $title,)*
                }
            }

            /// What the permission lets the session do, in one sentence (`{currency}` placeholder).
            pub fn hint_template(self) -> &'static str {
                match self {
                    $(Self::$name => $hint,)*
                }
            }

            /// Whether it is a cumulative limit the endpoint counts down (native, ERC-20, gas).
            pub fn is_limit(self) -> bool {
                match self {
                    $(Self::$name => $limit,)*
                }
            }
        }

        impl Permission {
            /// Its kind (the wire `type`), with the title a person sees.
            pub fn kind(&self) -> PermissionKind {
                match self {
                    $(Self::$name { .. } => PermissionKind::$name,)*
                }
            }
        }
    };
}

permission_kinds! {
    /// Cumulative native value the key may send.
    NativeTokenTransfer = "native-token-transfer" {
        #[serde(with = "wire::quantity")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        allowance: U256,
    } => {
        title: "{currency} spending limit",
        hint: "How much {currency} the session may send, in total.",
        limit: true,
    },
    /// Cumulative `transfer`/`approve` amount of one ERC-20 token.
    Erc20TokenTransfer = "erc20-token-transfer" {
        #[serde(with = "wire::quantity")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        allowance: U256,
        #[serde(with = "wire::checksum")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        address: Address,
    } => {
        title: "Token spending limit (ERC-20)",
        hint: "How much of one token the session may transfer or approve, in total.",
        limit: true,
    },
    /// Cumulative gas spend (wei) the key may incur.
    GasLimit = "gas-limit" {
        #[serde(with = "wire::quantity")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        limit: U256,
    } => {
        title: "Network fee limit",
        hint: "How much the session may spend on network fees (gas), in total.",
        limit: true,
    },
    /// Any function on one contract.
    ContractAccess = "contract-access" {
        #[serde(with = "wire::checksum")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        address: Address,
    } => {
        title: "Any function on one contract",
        hint: "The session may call every function of one contract.",
        limit: false,
    },
    /// These selectors on one contract.
    FunctionsOnContract = "functions-on-contract" {
        #[serde(with = "wire::checksum")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        address: Address,
        #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
        functions: Vec<Bytes>,
    } => {
        title: "Chosen functions on one contract",
        hint: "The session may call only these functions, only on this contract.",
        limit: false,
    },
    /// These selectors on any target.
    FunctionsOnAllContracts = "functions-on-all-contracts" {
        #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
        functions: Vec<Bytes>,
    } => {
        title: "Chosen functions on any contract",
        hint: "The session may call these functions on every contract.",
        limit: false,
    },
    /// These functions on the account itself.
    AccountFunctions = "account-functions" {
        #[cfg_attr(feature = "ts", ts(type = "Array<string>"))]
        functions: Vec<Bytes>,
    } => {
        title: "Chosen functions of the account itself",
        hint: "The session may call these functions of your smart account.",
        limit: false,
    },
    /// Full access (global validation); must be the only permission.
    Root = "root" => {
        title: "Full control (root)",
        hint: "The session can do anything your owner key can.",
        limit: false,
    },
}

impl PermissionKind {
    /// The kind of a wire `type` string, if it is one.
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.wire_name() == name)
    }

    /// The title a person sees, a native limit named in `currency` (its symbol: ETH, POL, …).
    pub fn title(self, currency: &str) -> String {
        self.title_template().replace("{currency}", currency)
    }

    /// The one-sentence explanation, a native limit named in `currency`.
    pub fn hint(self, currency: &str) -> String {
        self.hint_template().replace("{currency}", currency)
    }
}

impl std::fmt::Display for PermissionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.wire_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip_through_serde_and_from_wire() {
        for &k in PermissionKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::json!(k.wire_name()));
            assert_eq!(PermissionKind::from_wire(k.wire_name()), Some(k));
        }
        assert_eq!(PermissionKind::from_wire("allow-list"), None);
    }

    #[test]
    fn one_title_per_kind_and_the_native_one_names_the_currency() {
        let titles: std::collections::HashSet<String> = PermissionKind::ALL.iter().map(|k| k.title("ETH")).collect();
        assert_eq!(titles.len(), PermissionKind::ALL.len());
        assert_eq!(PermissionKind::NativeTokenTransfer.title("POL"), "POL spending limit");
        assert_eq!(PermissionKind::NativeTokenTransfer.hint("BNB"), "How much BNB the session may send, in total.");
        let limits: Vec<_> = PermissionKind::ALL.iter().filter(|k| k.is_limit()).collect();
        assert_eq!(limits.len(), 3);
    }
}
