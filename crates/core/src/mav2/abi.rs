//! Solidity signatures of the account functions and module init data Warden encodes.

#![allow(missing_docs, missing_debug_implementations)]

use alloy_sol_types::sol;

sol! {
    function installValidation(bytes25 validationConfig, bytes4[] selectors, bytes installData, bytes[] hooks);
    function uninstallValidation(bytes24 validationFunction, bytes uninstallData, bytes[] hookUninstallData);

    struct Call { address target; uint256 value; bytes data; }
    function execute(address target, uint256 value, bytes data);
    function executeBatch(Call[] calls);

    function createSemiModularAccount(address owner, uint256 salt);

    /// SingleSignerValidationModule install data.
    struct SignerInstall { uint32 entityId; address signer; }
    /// TimeRangeModule init data.
    struct TimeRangeInit { uint32 entityId; uint48 validUntil; uint48 validAfter; }
    /// NativeTokenLimitModule init data (native allowance or gas limit).
    struct SpendLimitInit { uint32 entityId; uint256 limit; }
    /// One AllowlistModule entry.
    struct AllowlistInput {
        address target;
        bool hasSelectorAllowlist;
        bool hasERC20SpendLimit;
        uint256 erc20SpendLimit;
        bytes4[] selectors;
    }
    /// AllowlistModule init data.
    struct AllowlistInit { uint32 entityId; AllowlistInput[] inputs; }
}
