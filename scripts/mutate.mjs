// `npm run mutate [area...]`: StrykerJS over the areas of src/ named (all of stryker.config.mjs's
// AREAS by default; `--ci`, those marked `ci`), one run each with its own incremental file and
// floor, then one line per area: its mutation score and how its mutants ended. Exits non-zero if any
// area fell below its floor. Other options go to Stryker (`--force`: re-test every mutant).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { AREAS } from '../stryker.config.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const STRYKER = fileURLToPath(new URL('../node_modules/@stryker-mutator/core/bin/stryker.js', import.meta.url))

const ci = process.argv.includes('--ci')
const names = process.argv.slice(2).filter(arg => !arg.startsWith('--'))
const strykerArgs = process.argv.slice(2).filter(arg => arg.startsWith('--') && arg !== '--ci')
const unknown = names.filter(name => !(name in AREAS))
if (unknown.length > 0) {
  console.error(`Unknown area ${unknown.join(', ')}: expected any of ${Object.keys(AREAS).join(', ')}.`)
  process.exit(2)
}

/** Stryker's mutation score: killed and timed out over every mutant a test could have caught. */
function summarize(area) {
  const report = JSON.parse(readFileSync(`${root}reports/mutation/${area}.json`, 'utf8'))
  const count = {}
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) count[mutant.status] = (count[mutant.status] ?? 0) + 1
  }
  const detected = (count.Killed ?? 0) + (count.Timeout ?? 0)
  const valid = detected + (count.Survived ?? 0) + (count.NoCoverage ?? 0)
  return { score: valid === 0 ? 100 : (100 * detected) / valid, count }
}

const lines = []
let failed = false
for (const area of names.length > 0 ? names : Object.keys(AREAS).filter(name => !ci || AREAS[name].ci)) {
  console.log(`\n▶ Mutation testing: ${area} (${AREAS[area].mutate.join(', ')})\n`)
  const started = Date.now()
  const run = spawnSync(process.execPath, [STRYKER, 'run', ...strykerArgs], { cwd: root, stdio: 'inherit', env: { ...process.env, MUTATE_AREA: area } })
  const seconds = Math.round((Date.now() - started) / 1000)
  if (run.status !== 0)
    failed = true
  let line
  try {
    const { score, count } = summarize(area)
    const floor = AREAS[area].break
    line = `${area.padEnd(9)} ${score.toFixed(2).padStart(6)}%  floor ${floor === null ? '  none' : `${floor}%`.padStart(6)}  ${Object.entries(count).map(([status, n]) => `${n} ${status}`).join(', ')}  (${seconds} s)`
  }
  catch {
    line = `${area.padEnd(9)} no report: Stryker exited with ${run.status} (${seconds} s)`
  }
  if (run.status !== 0)
    line += '  FAILED'
  lines.push(line)
}
console.log(`\nMutation scores (reports/mutation/<area>.html):\n${lines.join('\n')}`)
process.exit(failed ? 1 : 0)
