#!/usr/bin/env node
// Writes crates/core/src/chains/registry.rs, Warden's chain registry, from the npm packages
// pinned in tests/conformance: every chain id the official @alchemy/common chain registry
// lists (getSupportedChainIds, with its node URL from getAlchemyRpcUrl), each with its name,
// testnet flag and native currency from viem's chain definitions (viem/chains), or from
// @alchemy/common/chains for the chains viem does not define. OVERRIDES below settles the
// few ids the packages get wrong or leave out, each with its reason.
//
//   (cd tests/conformance && npm install --no-audit --no-fund)
//   node scripts/gen-chain-registry.mjs           regenerate the Rust file
//   node scripts/gen-chain-registry.mjs --check   exit 1, naming each chain that differs,
//                                                  when the file is not what the packages say
//
// The generator refuses (exit 2) what it cannot settle on its own: an id with several
// different definitions in viem, an id no package defines, a definition whose testnet flag
// contradicts Alchemy's network name (`*-mainnet` or not), a node URL of another shape than
// https://<network>.g.alchemy.com/v2, or two chains with one name. Chain ids above 2^32-1
// (the Wallets API's limit) are left out, named in the generated file and on stderr.
// Left out: RPC URLs other than Alchemy's, explorers, icons.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const conformance = path.join(root, 'tests', 'conformance');
const target = path.join(root, 'crates', 'core', 'src', 'chains', 'registry.rs');
const check = process.argv.includes('--check');

const ETHER = { name: 'Ether', symbol: 'ETH', decimals: 18 };

/**
 * Chains the packages get wrong or leave out. `viem` picks one of several viem definitions of
 * an id; otherwise the entry is the chain's facts, from the chain's own listing.
 */
const OVERRIDES = {
  // viem defines 999 three times (HyperEVM, an old Wanchain testnet, Zora Goerli);
  // Alchemy's hyperliquid-mainnet is HyperEVM.
  999: { viem: 'hyperEvm' },
  // viem's only 6900 is Nibiru; Alchemy's anime-sepolia is Animechain's testnet, which uses
  // the same id (chainlist: "animechain-testnet", Animecoin).
  6900: {
    name: 'Animechain Testnet',
    testnet: true,
    currency: { name: 'Animecoin', symbol: 'ANIME', decimals: 18 },
  },
  // Not in either package; ethereum-lists/chains eip155-869.json.
  869: {
    name: 'World Mobile Chain',
    testnet: false,
    currency: { name: 'World Mobile Token', symbol: 'WMTX', decimals: 18 },
  },
  // Not in either package; the chain's explorer and token listings name MYTH as its gas token.
  42018: { name: 'Mythos', testnet: false, currency: { name: 'Mythos', symbol: 'MYTH', decimals: 18 } },
  // Not in either package; ethereum-lists/chains eip155-69000.json.
  69000: { name: 'Animechain', testnet: false, currency: { name: 'Animecoin', symbol: 'ANIME', decimals: 18 } },
  // Not in either package and in no public chain list: an Alchemy rollup, assumed to pay
  // gas in ether like Alchemy's other rollups without a token of their own.
  510525: { name: 'Clankermon', testnet: false, currency: ETHER },
  // Only @alchemy/common/chains defines it, with its currency spelled "eth"/"eth"; it is
  // ether, as on Gensyn's mainnet (viem gensyn): shown as ETH like every other ether chain.
  685685: { name: 'Gensyn Testnet', testnet: true, currency: ETHER },
  // Not in either package; ethereum-lists/chains eip155-737373.json (Katana's testnet).
  737373: { name: 'Katana Bokuto', testnet: true, currency: ETHER },
};

const requireFromConformance = createRequire(path.join(conformance, 'package.json'));

/** The ESM entry of `pkg` + `subpath` as installed in tests/conformance, and the version. */
function installed(pkg, subpath = '.') {
  let manifestPath;
  try {
    manifestPath = requireFromConformance.resolve(`${pkg}/package.json`);
  } catch {
    fail(`${pkg} is not installed in tests/conformance: run (cd tests/conformance && npm install --no-audit --no-fund)`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const entry = manifest.exports?.[subpath];
  const file = typeof entry === 'string' ? entry : (entry?.import ?? entry?.default);
  if (!file) fail(`${pkg} ${manifest.version} exports no ${subpath}`);
  return { url: pathToFileURL(path.join(path.dirname(manifestPath), file)).href, version: manifest.version };
}

function fail(message) {
  console.error(`gen-chain-registry: ${message}`);
  process.exit(2);
}

const common = installed('@alchemy/common');
const commonChains = installed('@alchemy/common', './chains');
const viem = installed('viem', './chains');
const { getSupportedChainIds, getAlchemyRpcUrl } = await import(common.url);
const alchemyDefs = Object.entries(await import(commonChains.url));
const viemDefs = Object.entries(await import(viem.url));

const isChain = (value) => value && typeof value === 'object' && Number.isInteger(value.id) && value.nativeCurrency;
const facts = (def) => ({
  name: def.name,
  testnet: def.testnet === true,
  currency: { name: def.nativeCurrency.name, symbol: def.nativeCurrency.symbol, decimals: def.nativeCurrency.decimals },
});
const sameFacts = (a, b) => JSON.stringify(facts(a)) === JSON.stringify(facts(b));

const problems = [];
const tooLarge = [];
const chains = [];
for (const id of [...getSupportedChainIds()].sort((a, b) => a - b)) {
  const url = getAlchemyRpcUrl(id);
  if (id > 0xffffffff) {
    tooLarge.push({ id, url });
    continue;
  }
  const slug = /^https:\/\/([a-z0-9-]+)\.g\.alchemy\.com\/v2$/.exec(url ?? '')?.[1];
  if (!slug) {
    problems.push(`${id}: node URL ${url} is not https://<network>.g.alchemy.com/v2`);
    continue;
  }
  const override = OVERRIDES[id];
  const inViem = viemDefs.filter(([, c]) => isChain(c) && c.id === id);
  const inAlchemy = alchemyDefs.filter(([, c]) => isChain(c) && c.id === id);
  let chain;
  let source;
  if (override?.viem) {
    const picked = inViem.find(([key]) => key === override.viem);
    if (!picked) {
      problems.push(`${id} (${slug}): OVERRIDES picks viem's ${override.viem}, which viem ${viem.version} does not define`);
      continue;
    }
    chain = facts(picked[1]);
    source = `viem ${override.viem} (of ${inViem.map(([k]) => k).join(', ')})`;
  } else if (override) {
    chain = { name: override.name, testnet: override.testnet, currency: override.currency };
    source = 'OVERRIDES in scripts/gen-chain-registry.mjs';
  } else if (inViem.length > 0) {
    if (!inViem.every(([, c]) => sameFacts(c, inViem[0][1]))) {
      problems.push(`${id} (${slug}): viem defines it differently as ${inViem.map(([k]) => k).join(', ')}: pick one in OVERRIDES`);
      continue;
    }
    chain = facts(inViem[0][1]);
    source = `viem ${inViem.map(([k]) => k).join(' = ')}`;
  } else if (inAlchemy.length === 1) {
    chain = facts(inAlchemy[0][1]);
    source = `@alchemy/common/chains ${inAlchemy[0][0]}`;
  } else {
    problems.push(`${id} (${slug}): neither viem nor @alchemy/common/chains defines it: add it to OVERRIDES`);
    continue;
  }
  if (chain.testnet === slug.endsWith('-mainnet')) {
    problems.push(
      `${id} (${slug}): ${source} says ${chain.name} is ${chain.testnet ? 'a testnet' : 'a mainnet'}, Alchemy's network name says otherwise: settle it in OVERRIDES`,
    );
    continue;
  }
  const { decimals, symbol, name } = chain.currency;
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255 || !symbol || !name || !chain.name) {
    problems.push(`${id} (${slug}): incomplete definition in ${source}: ${JSON.stringify(chain)}`);
    continue;
  }
  chains.push({ id, slug, url, source, ...chain });
}

const byName = new Map();
for (const c of chains) {
  const key = c.name.toLowerCase();
  if (byName.has(key)) problems.push(`${byName.get(key).id} and ${c.id} are both named ${c.name}: rename one in OVERRIDES`);
  byName.set(key, c);
}
if (problems.length > 0) fail(`cannot build the registry:\n  ${problems.join('\n  ')}`);
for (const { id, url } of tooLarge) console.error(`gen-chain-registry: left out chain ${id} (${url}): above 2^32-1`);

/** A Rust string literal. */
const rs = (text) => `"${String(text).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const lines = [
  `// Generated by scripts/gen-chain-registry.mjs from @alchemy/common ${common.version} and viem ${viem.version};`,
  '// do not edit. Regenerate: (cd tests/conformance && npm install) && node scripts/gen-chain-registry.mjs',
  '',
  '//! Every chain the official `@alchemy/common` chain registry lists, with its name, testnet',
  '//! flag, native currency and Alchemy node URL (generated; see the header).',
  '',
  'use super::{ChainInfo, NativeCurrency};',
  '',
  tooLarge.length > 0
    ? `// Left out, above 2^32-1 (the Wallets API's chain id limit): ${tooLarge.map((c) => `${c.id} (${c.url})`).join(', ')}.`
    : '// No chain id was left out: all fit in 32 bits (the Wallets API\'s limit).',
  `/// The ${chains.length} chains of Alchemy's chain registry, by chain id.`,
  '#[rustfmt::skip]',
  'pub const REGISTRY: &[ChainInfo] = &[',
  ...chains.map(
    (c) =>
      `    ChainInfo { id: ${c.id}, name: ${rs(c.name)}, slug: ${rs(c.slug)}, testnet: ${c.testnet}, ` +
      `currency: NativeCurrency { name: ${rs(c.currency.name)}, symbol: ${rs(c.currency.symbol)}, decimals: ${c.currency.decimals} }, ` +
      `node_url: ${rs(c.url)} }, // ${c.source}`,
  ),
  '];',
  '',
];
const text = lines.join('\n');

if (!check) {
  writeFileSync(target, text);
  console.log(`gen-chain-registry: wrote ${path.relative(root, target)} (${chains.length} chains)`);
  process.exit(0);
}

let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch (e) {
  console.error(`gen-chain-registry: cannot read ${path.relative(root, target)}: ${e.message}`);
  process.exit(1);
}
if (current === text) {
  console.log(`gen-chain-registry: ${path.relative(root, target)} matches @alchemy/common ${common.version} and viem ${viem.version} (${chains.length} chains)`);
  process.exit(0);
}
const had = new Set(current.split('\n'));
const wants = new Set(lines);
console.error(
  `gen-chain-registry: ${path.relative(root, target)} differs from what @alchemy/common ${common.version} and viem ${viem.version} give; run node scripts/gen-chain-registry.mjs and review:`,
);
for (const line of current.split('\n')) if (!wants.has(line)) console.error(`  - ${line.trim()}`);
for (const line of lines) if (!had.has(line)) console.error(`  + ${line.trim()}`);
process.exit(1);
