// The settings screen's chain search: by name, network name, currency symbol or id.
import { describe, expect, test } from 'vitest';
import type { ChainOption } from '../../src/lib/bindings/ChainOption';
import { chainLabel, matchChains, typedChainId } from '../../src/lib/chains';

const ETH = { name: 'Ether', symbol: 'ETH', decimals: 18 };
const POL = { name: 'POL', symbol: 'POL', decimals: 18 };
const BNB = { name: 'BNB', symbol: 'BNB', decimals: 18 };
const CHAINS: ChainOption[] = [
  { chainId: 1, name: 'Ethereum', slug: 'eth-mainnet', testnet: false, currency: ETH },
  { chainId: 56, name: 'BNB Smart Chain', slug: 'bnb-mainnet', testnet: false, currency: BNB },
  { chainId: 137, name: 'Polygon', slug: 'polygon-mainnet', testnet: false, currency: POL },
  { chainId: 1301, name: 'Unichain Sepolia', slug: 'unichain-sepolia', testnet: true, currency: ETH },
  { chainId: 80002, name: 'Polygon Amoy', slug: 'polygon-amoy', testnet: true, currency: POL },
  { chainId: 84532, name: 'Base Sepolia', slug: 'base-sepolia', testnet: true, currency: ETH },
];
const ids = (list: ChainOption[]) => list.map((c) => c.chainId);

describe('matchChains', () => {
  test('empty finds everything, in order', () => {
    expect(ids(matchChains(CHAINS, '  '))).toEqual([1, 56, 137, 1301, 80002, 84532]);
  });
  test('by name or network name, any case, every word', () => {
    expect(ids(matchChains(CHAINS, 'polygon'))).toEqual([137, 80002]);
    expect(ids(matchChains(CHAINS, 'BASE-SEPOLIA'))).toEqual([84532]);
    expect(ids(matchChains(CHAINS, 'sepolia base'))).toEqual([84532]);
    expect(ids(matchChains(CHAINS, 'sepolia'))).toEqual([1301, 84532]);
    expect(ids(matchChains(CHAINS, 'mainnet'))).toEqual([1, 56, 137]);
  });
  test('by currency symbol', () => {
    expect(ids(matchChains(CHAINS, 'pol'))).toEqual([137, 80002]);
    expect(ids(matchChains(CHAINS, 'bnb'))).toEqual([56]);
  });
  test('by id: decimal prefix, or 0x hex exactly', () => {
    expect(ids(matchChains(CHAINS, '137'))).toEqual([137]);
    expect(ids(matchChains(CHAINS, '13'))).toEqual([137, 1301]);
    expect(ids(matchChains(CHAINS, '0x89'))).toEqual([137]);
    expect(ids(matchChains(CHAINS, '0x8'))).toEqual([]);
    expect(ids(matchChains(CHAINS, '999'))).toEqual([]);
  });
  test('nothing matches a typo', () => {
    expect(matchChains(CHAINS, 'polgon')).toEqual([]);
  });
});

test('typedChainId reads decimal and hex ids only', () => {
  expect(typedChainId(' 137 ')).toBe(137);
  expect(typedChainId('0x14A34')).toBe(84532);
  expect(typedChainId('polygon')).toBeNull();
  expect(typedChainId('1.5')).toBeNull();
});

test('chainLabel is the name and the id', () => {
  expect(chainLabel(CHAINS[2]!)).toBe('Polygon (137)');
});
