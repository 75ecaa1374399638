// SPDX-License-Identifier: MIT OR Apache-2.0
// The code the devnet runs an emulated account's operations with: it stands in for the MAv2
// implementations (SMA-B accounts are proxies to it, 7702 accounts delegate to it), which
// are not available offline. Only the account itself may use it (the devnet sends the
// transaction from the account, impersonated): `execute` makes the operation's calls in
// order, reverting all of them if one reverts (with the index and that call's revert data),
// then consumes the operation's EntryPoint nonce. Like a MAv2 account it keeps its installed
// validations in its own storage: `installValidation` and `uninstallValidation` (account-only,
// so only through an operation) record and clear a validation's flags, hooks and selectors,
// and `getValidationData` reads them back in MAv2's `ValidationDataView` shape, so what a
// revocation changed can be read from the chain. The modules' own install and uninstall
// callbacks are not run (the devnet enforces permissions itself). Anything else — plain
// value, token callbacks — is accepted, as a MAv2 account accepts it. Built by
// build-contracts.mjs with solcjs; the runtime bytecode is committed in
// AccountExecutor.runtime.hex.
pragma solidity 0.8.37;

interface INonceManager {
    function incrementNonce(uint192 key) external;
}

contract AccountExecutor {
    struct Call {
        address target;
        uint256 value;
        bytes data;
    }

    /// MAv2's view of one validation function (IModularAccountView.getValidationData).
    struct ValidationDataView {
        uint8 validationFlags;
        bytes25[] validationHooks;
        bytes25[] executionHooks;
        bytes4[] selectors;
    }

    /// Hook config flag (last byte of a hook config): a validation hook.
    uint8 internal constant HOOK_FLAG_VALIDATION = 0x01;

    /// Installed validations by module entity (module ‖ entity id). The executor keeps no
    /// other storage, so the mapping's slot cannot collide with anything.
    mapping(bytes24 => ValidationDataView) private validations;

    error NotSelf(address caller);
    error CallReverted(uint256 index, bytes reason);
    error HookConfigTooShort(uint256 index);

    function execute(Call[] calldata calls, address entryPoint, uint192 nonceKey) external {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool ok, bytes memory reason) = calls[i].target.call{value: calls[i].value}(calls[i].data);
            if (!ok) revert CallReverted(i, reason);
        }
        INonceManager(entryPoint).incrementNonce(nonceKey);
    }

    function installValidation(
        bytes25 validationConfig,
        bytes4[] calldata selectors,
        bytes calldata,
        bytes[] calldata hooks
    ) external {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        ValidationDataView storage v = validations[bytes24(validationConfig)];
        v.validationFlags |= uint8(uint200(validationConfig));
        for (uint256 i = 0; i < hooks.length; ++i) {
            if (hooks[i].length < 25) revert HookConfigTooShort(i);
            bytes25 hook = bytes25(hooks[i][:25]);
            if (uint8(uint200(hook)) & HOOK_FLAG_VALIDATION != 0) {
                v.validationHooks.push(hook);
            } else {
                v.executionHooks.push(hook);
            }
        }
        for (uint256 i = 0; i < selectors.length; ++i) {
            v.selectors.push(selectors[i]);
        }
    }

    function uninstallValidation(bytes24 validationFunction, bytes calldata, bytes[] calldata) external {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        delete validations[validationFunction];
    }

    function getValidationData(bytes24 validationFunction) external view returns (ValidationDataView memory) {
        return validations[validationFunction];
    }

    function onERC721Received(address, address, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC721Received.selector;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external pure returns (bytes4) {
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        pure
        returns (bytes4)
    {
        return this.onERC1155BatchReceived.selector;
    }

    receive() external payable {}

    fallback() external payable {}
}
