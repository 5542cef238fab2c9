// Vitest runs one after another, each with its default reporter and the JSON one, which gives the
// counts for the closing line. All run even if an earlier one fails; the exit code is non-zero if any did.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url))

/** The packed package in fresh projects with Vitest 4 and 5 (test/e2e). */
export const E2E_RUN = { name: 'End to end: the packed package with Vitest 4 and 5', script: VITEST, args: ['--config', 'vitest.e2e.config.ts'] }

/** Failed tests, plus one for each file that failed with none failing: an import error, a failed beforeAll. */
function countFailures(counts) {
  const failedOutsideTests = counts.testResults.filter(file => file.status === 'failed' && !file.assertionResults.some(test => test.status === 'failed'))
  return counts.numFailedTests + failedOutsideTests.length
}

/** Runs each `{ name, script, args }` with `extraArgs`, prints one line per run and `N passed, N failed`; returns the exit code. */
export function runCounted(runs, extraArgs) {
  const resultsDir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-results-'))
  const results = runs.map(({ name, script, args = [] }, i) => {
    console.log(`\n▶ ${name}\n`)
    const json = join(resultsDir, `${i}.json`)
    const started = Date.now()
    const { status } = spawnSync(process.execPath, [script, 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...extraArgs], { cwd: root, stdio: 'inherit' })
    const counts = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : { numPassedTests: 0, numFailedTests: 0, testResults: [] }
    return { name, passed: status === 0, seconds: (Date.now() - started) / 1000, tests: counts.numPassedTests, failures: countFailures(counts) }
  })
  rmSync(resultsDir, { recursive: true, force: true })

  console.log('')
  for (const { name, passed, seconds, tests, failures } of results)
    console.log(`${passed ? '✓' : '✗'} ${name}: ${passed ? 'passed' : 'failed'} in ${seconds.toFixed(0)} s (${tests} passed, ${failures} failed)`)
  const total = key => results.reduce((sum, result) => sum + result[key], 0)
  console.log(`${total('tests')} passed, ${total('failures')} failed`)
  return results.every(result => result.passed) ? 0 : 1
}
