// Joins criterion's estimates for crates/core/benches/protocol.rs with bench.mjs's viem
// timings and prints, per operation: Warden µs/op, viem µs/op and viem/Warden (how many
// times Warden's throughput is viem's). Then checks the issue-2 speed targets.
//
// Means are what the targets are judged on. On a shared machine they carry the other
// tenants' load, so the fastest sample of each side is shown too: it is the closest
// either run came to an idle CPU (criterion: 50 samples; bench.mjs: ~10 ms batches).
//
//   node compare.mjs CRITERION_DIR VIEM_JSON

import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const [criterionDir, viemJson] = process.argv.slice(2)
if (!criterionDir || !viemJson) {
  console.error('usage: node compare.mjs CRITERION_DIR VIEM_JSON')
  process.exit(2)
}

const viem = JSON.parse(readFileSync(viemJson, 'utf8'))

function criterionFile(name, file) {
  const path = join(criterionDir, name, 'new', file)
  if (!existsSync(path)) throw new Error(`no criterion results for ${name} at ${path}`)
  return JSON.parse(readFileSync(path, 'utf8'))
}

/** Criterion's mean point estimate for `name`, in µs. */
const wardenMean = (name) => criterionFile(name, 'estimates.json').mean.point_estimate / 1000

/** The fastest of criterion's samples for `name`, in µs per iteration. */
function wardenBest(name) {
  const { iters, times } = criterionFile(name, 'sample.json')
  return Math.min(...times.map((t, i) => t / iters[i])) / 1000
}

const rows = Object.entries(viem.results).map(([name, v]) => {
  const warden = wardenMean(name)
  const wardenMin = wardenBest(name)
  return {
    name,
    warden,
    viem: v.us_per_op,
    ratio: v.us_per_op / warden,
    wardenMin,
    viemMin: v.min_us,
    ratioMin: v.min_us / wardenMin,
    note: v.note,
  }
})

const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)
const us = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(1))
const times = (x) => `${x.toFixed(1)}×`
console.log(`\nWarden (criterion) vs viem ${viem.viem} on node ${viem.node}; ratio = viem time / Warden time`)
console.log('mean: average µs/op; best: fastest sample (least disturbed by other load)\n')
console.log(
  `${pad('operation', 28)} ${lpad('Warden mean', 12)} ${lpad('viem mean', 10)} ${lpad('ratio', 7)}` +
    ` ${lpad('Warden best', 12)} ${lpad('viem best', 10)} ${lpad('ratio', 7)}`,
)
console.log('-'.repeat(28 + 2 * (1 + 12 + 1 + 10 + 1 + 7)))
for (const r of rows) {
  console.log(
    `${pad(r.name, 28)} ${lpad(us(r.warden), 12)} ${lpad(us(r.viem), 10)} ${lpad(times(r.ratio), 7)}` +
      ` ${lpad(us(r.wardenMin), 12)} ${lpad(us(r.viemMin), 10)} ${lpad(times(r.ratioMin), 7)}`,
  )
}
console.log('\nviem side of each row:')
for (const r of rows) console.log(`  ${pad(r.name, 28)} ${r.note}`)

const by = Object.fromEntries(rows.map((r) => [r.name, r]))
const targets = [
  {
    what: 'verify_grant + owner signature under 200 µs',
    ok: by.verify_grant_and_owner_sign.warden < 200,
    got: `mean ${us(by.verify_grant_and_owner_sign.warden)} µs, best ${us(by.verify_grant_and_owner_sign.wardenMin)} µs`,
  },
  {
    what: "typed-data sign at least 5× viem's throughput",
    ok: by.typed_data_sign_mail.ratio >= 5,
    got: `mean ${times(by.typed_data_sign_mail.ratio)}, best ${times(by.typed_data_sign_mail.ratioMin)}`,
  },
]
console.log('\nTargets (issue 2), judged on the means:')
for (const t of targets) console.log(`  ${t.ok ? 'met   ' : 'MISSED'} ${t.what}: ${t.got}`)
