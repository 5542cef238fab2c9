// `npm test`: the suite with Vitest 4 on this Node, then with Vitest 5 on Node 24. Both run even if
// the first fails; the exit code is non-zero if either did. Extra arguments go to both runs.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const args = process.argv.slice(2)
const resultsDir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-results-'))
const runs = [
  { name: `Vitest 4 on Node ${process.versions.node}`, script: fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url)) },
  { name: 'Vitest 5 on Node 24', script: fileURLToPath(new URL('./vitest5.mjs', import.meta.url)) },
]

const results = runs.map(({ name, script }, i) => {
  console.log(`\n▶ ${name}\n`)
  const json = join(resultsDir, `${i}.json`)
  const started = Date.now()
  // Vitest's JSON reporter beside the default one gives the counts for the closing line.
  const { status } = spawnSync(process.execPath, [script, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...args], { cwd: root, stdio: 'inherit' })
  const counts = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : { numPassedTests: 0, numFailedTests: 0 }
  return { name, passed: status === 0, seconds: (Date.now() - started) / 1000, tests: counts.numPassedTests, failures: counts.numFailedTests }
})
rmSync(resultsDir, { recursive: true, force: true })

console.log('')
for (const { name, passed, seconds, tests, failures } of results)
  console.log(`${passed ? '✓' : '✗'} ${name}: ${passed ? 'passed' : 'failed'} in ${seconds.toFixed(0)} s (${tests} passed, ${failures} failed)`)
const total = (key) => results.reduce((sum, result) => sum + result[key], 0)
console.log(`${total('tests')} passed, ${total('failures')} failed`)
process.exit(results.every(result => result.passed) ? 0 : 1)
