// Compiles the devnet's contracts with the pinned solcjs (npm `solc`, see ../node/package.json)
// and writes the bytecode the devnet embeds. Run from crates/devnet/node:
//   npm install --no-audit --no-fund && npm run build-contracts
//
//   TestToken.sol       → TestToken.bytecode.hex         (creation code: devnet_deployToken)
//   AccountExecutor.sol → AccountExecutor.runtime.hex    (runtime code: the accounts' code)
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(join(process.cwd(), 'package.json'))
const solc = require('solc')
const here = dirname(fileURLToPath(import.meta.url))
const builds = [
  { file: 'TestToken.sol', contract: 'TestToken', output: 'evm.bytecode.object', out: 'TestToken.bytecode.hex' },
  { file: 'AccountExecutor.sol', contract: 'AccountExecutor', output: 'evm.deployedBytecode.object', out: 'AccountExecutor.runtime.hex' },
]
for (const b of builds) {
  const input = {
    language: 'Solidity',
    sources: { [b.file]: { content: readFileSync(join(here, b.file), 'utf8') } },
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': [b.output] } } },
  }
  const out = JSON.parse(solc.compile(JSON.stringify(input)))
  const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length) {
    console.error(errors.map((e) => e.formattedMessage).join('\n'))
    process.exit(1)
  }
  const evm = out.contracts[b.file][b.contract].evm
  const bytecode = b.output === 'evm.bytecode.object' ? evm.bytecode.object : evm.deployedBytecode.object
  writeFileSync(join(here, b.out), bytecode + '\n')
  console.log(`${b.contract}: ${bytecode.length / 2} bytes (${b.output}, solc ${solc.version()})`)
}
