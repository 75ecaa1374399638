// Well-known TEST keys (public test vectors; never use them for anything real).

/** The standard test mnemonic; m/44'/60'/0'/0/0 is anvil's first account. */
export const TEST_MNEMONIC = 'test test test test test test test test test test test junk';
export const MNEMONIC_ADDRESS_0 = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const MNEMONIC_KEY_0 = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** m/44'/60'/0'/0/2 of the same mnemonic. */
export const MNEMONIC_ADDRESS_2 = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
export const MNEMONIC_KEY_2 = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

/** anvil's second account, imported as hex. */
export const HEX_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
export const HEX_ADDRESS = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
