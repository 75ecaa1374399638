// The settings screen's chain search over the registry Rust sends (`chains_list`): which chains
// match what the person typed — a name ("polygon"), Alchemy's network name ("base-sepolia"), a
// currency symbol ("BNB") or a chain id (decimal "137" or hex "0x89") — and how a chain is
// named in the picker. Pure functions, so they are unit-tested directly.
// Left out: fuzzy matching (a typo finds nothing; the list is short enough to scroll).

import type { ChainOption } from './bindings/ChainOption';

/** "Base Sepolia (84532)": how the picker names a chain. */
export function chainLabel(chain: ChainOption): string {
  return `${chain.name} (${chain.chainId})`;
}

/** A chain id typed as a whole decimal number or as 0x hex, if `text` is one. */
export function typedChainId(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+$/.test(t)) return Number(t);
  if (/^0x[0-9a-f]+$/.test(t)) return Number.parseInt(t.slice(2), 16);
  return null;
}

/**
 * The chains `query` finds, in the registry's order. Empty → all. A number matches ids that
 * start with it (and a hex id exactly). Otherwise every word must begin a word of the name,
 * of the network name (split at dashes, or whole) or the currency symbol, ignoring case:
 * "pol" finds Polygon and POL chains, not "Sepolia".
 */
export function matchChains(chains: readonly ChainOption[], query: string): ChainOption[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...chains];
  if (/^0x[0-9a-f]+$/.test(q)) {
    const id = typedChainId(q);
    return chains.filter((c) => c.chainId === id);
  }
  if (/^\d+$/.test(q)) return chains.filter((c) => String(c.chainId).startsWith(q));
  const words = q.split(/\s+/);
  return chains.filter((c) => {
    const name = c.name.toLowerCase();
    const tokens = [...name.split(/[\s-]+/), ...c.slug.split('-'), c.slug, name, c.currency.symbol.toLowerCase()];
    return words.every((w) => tokens.some((t) => t.startsWith(w)));
  });
}
