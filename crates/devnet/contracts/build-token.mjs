// Compiles TestToken.sol with the pinned solcjs (npm `solc`, see ../node/package.json) and
// writes its creation bytecode to TestToken.bytecode.hex. Run from crates/devnet/node:
//   npm install --no-audit --no-fund && npm run build-token
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const require = createRequire(join(process.cwd(), 'package.json'))
const solc = require('solc')
const here = dirname(fileURLToPath(import.meta.url))
const input = {
  language: 'Solidity',
  sources: { 'TestToken.sol': { content: readFileSync(join(here, 'TestToken.sol'), 'utf8') } },
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['evm.bytecode.object'] } } },
}
const out = JSON.parse(solc.compile(JSON.stringify(input)))
const errors = (out.errors ?? []).filter((e) => e.severity === 'error')
if (errors.length) {
  console.error(errors.map((e) => e.formattedMessage).join('\n'))
  process.exit(1)
}
const bytecode = out.contracts['TestToken.sol'].TestToken.evm.bytecode.object
writeFileSync(join(here, 'TestToken.bytecode.hex'), bytecode + '\n')
console.log(`TestToken: ${bytecode.length / 2} bytes of creation code (solc ${solc.version()})`)
