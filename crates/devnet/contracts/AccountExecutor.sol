// SPDX-License-Identifier: MIT OR Apache-2.0
// The code the devnet runs an emulated account's operations with: it stands in for the MAv2
// implementations (SMA-B accounts are proxies to it, 7702 accounts delegate to it), which
// are not available offline. Only the account itself may use it (the devnet sends the
// transaction from the account, impersonated): `execute` makes the operation's calls in
// order, reverting all of them if one reverts (with the index and that call's revert data),
// then consumes the operation's EntryPoint nonce. Anything else — plain value, token
// callbacks — is accepted, as a MAv2 account accepts it. Built by build-contracts.mjs with
// solcjs; the runtime bytecode is committed in AccountExecutor.runtime.hex.
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

    error NotSelf(address caller);
    error CallReverted(uint256 index, bytes reason);

    function execute(Call[] calldata calls, address entryPoint, uint192 nonceKey) external {
        if (msg.sender != address(this)) revert NotSelf(msg.sender);
        for (uint256 i = 0; i < calls.length; ++i) {
            (bool ok, bytes memory reason) = calls[i].target.call{value: calls[i].value}(calls[i].data);
            if (!ok) revert CallReverted(i, reason);
        }
        INonceManager(entryPoint).incrementNonce(nonceKey);
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
