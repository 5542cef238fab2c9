// Vitest runs and checks, one after another, each Vitest run with its default reporter and the JSON
// one, which gives the counts for the closing line. All run even if an earlier one fails; the exit
// code is non-zero if any did.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
export const VITEST = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url))
export const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url))
/** `npm run build`, as a script to run with node. */
export const BUILD = fileURLToPath(new URL('./build.mjs', import.meta.url))

/** Files under `dir` (relative to the root, with `/`) whose path passes `keep`, skipping node_modules. */
export function filesUnder(dir, keep) {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry => relative(root, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter(path => !path.includes('/node_modules/') && keep(path))
}

/** The example projects `npm run demo` runs: every folder of examples/ but the workflows. */
export const EXAMPLES = readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter(entry => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'github-actions')
  .map(entry => entry.name)

/**
 * A Vitest run is `{ name, script, args?, files, build? }`: `files` are the test files it can run
 * (to route file filters), `build` that it imports the built package. A check is `{ name, check }`,
 * `check` the arguments to run with Node: it counts as one test, passed or failed.
 */

/** The packed package in fresh projects with Vitest 4 and 5 (test/e2e). */
export const E2E_RUN = { name: 'End to end: the packed package with Vitest 4 and 5', script: VITEST, args: ['--config', 'vitest.e2e.config.ts'], files: () => filesUnder('test/e2e', path => path.endsWith('.e2e.test.ts')) }

/** Vitest options whose value is the next argument (`--option=value` needs no entry). */
const TAKES_VALUE = new Set(['-t', '--testNamePattern', '--project', '--reporter', '--outputFile', '-c', '--config', '-r', '--root', '--dir', '--shard', '--pool', '--environment', '--maxWorkers', '--retry', '--bail', '--exclude', '--testTimeout', '--hookTimeout', '--sequence.seed', '--mode'])

/** The file filters among Vitest arguments: the arguments that are neither options nor their values. */
export function fileFilters(args) {
  return args.filter((arg, i) => !arg.startsWith('-') && !TAKES_VALUE.has(args[i - 1] ?? ''))
}

/** Vitest runs a file when a filter is part of its path. */
const matches = (file, filters) => filters.some(filter => file.includes(filter.replace(/^\.\//, '')) || join(root, file).includes(filter))

/** Failed tests, plus one for each file that failed with none failing: an import error, a failed beforeAll. */
function countFailures(counts) {
  const failedOutsideTests = counts.testResults.filter(file => file.status === 'failed' && !file.assertionResults.some(test => test.status === 'failed'))
  return counts.numFailedTests + failedOutsideTests.length
}

/**
 * Runs each run with `extraArgs`, prints one line per run and `N passed, N failed` (tests, plus one
 * per check); returns the exit code. With file filters in `extraArgs`, a Vitest run goes ahead only
 * when one of its files matches (else Vitest would find none and fail), and checks, which look at
 * the whole tree, are skipped; a filter that no run matches is a failure, not zero tests passed.
 */
export function runCounted(runs, extraArgs) {
  const filters = fileFilters(extraArgs)
  const resultsDir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-results-'))
  let built
  const build = () => (built ??= spawnSync(process.execPath, [BUILD], { cwd: root, stdio: 'inherit' }).status === 0)

  const results = runs.map((run, i) => {
    const skip = filters.length === 0 ? undefined : run.check ? 'a file filter was given' : !run.files().some(file => matches(file, filters)) ? `no file matches ${filters.join(' ')}` : undefined
    if (skip)
      return { name: run.name, skipped: skip }
    console.log(`\n▶ ${run.name}\n`)
    const started = Date.now()
    const seconds = () => (Date.now() - started) / 1000
    if (run.check) {
      const passed = spawnSync(process.execPath, run.check, { cwd: root, stdio: 'inherit' }).status === 0
      return { name: run.name, passed, seconds: seconds(), tests: passed ? 1 : 0, failures: passed ? 0 : 1, check: true }
    }
    if (run.build && !build())
      return { name: run.name, passed: false, seconds: seconds(), tests: 0, failures: 1 }
    const json = join(resultsDir, `${i}.json`)
    const { status } = spawnSync(process.execPath, [run.script, 'run', ...(run.args ?? []), '--reporter=default', '--reporter=json', `--outputFile.json=${json}`, ...extraArgs], { cwd: root, stdio: 'inherit' })
    const counts = existsSync(json) ? JSON.parse(readFileSync(json, 'utf8')) : { numPassedTests: 0, numFailedTests: 0, testResults: [] }
    return { name: run.name, passed: status === 0, seconds: seconds(), tests: counts.numPassedTests, failures: countFailures(counts) }
  })
  rmSync(resultsDir, { recursive: true, force: true })

  console.log('')
  for (const { name, skipped, passed, seconds, tests, failures, check } of results) {
    if (skipped)
      console.log(`- ${name}: skipped (${skipped})`)
    else
      console.log(`${passed ? '✓' : '✗'} ${name}: ${passed ? 'passed' : 'failed'} in ${seconds.toFixed(0)} s (${check ? 'one check' : `${tests} passed, ${failures} failed`})`)
  }
  const ran = results.filter(result => !result.skipped)
  if (ran.length === 0)
    console.log(`✗ no run has a file matching ${filters.join(' ')}`)
  const total = key => ran.reduce((sum, result) => sum + result[key], 0)
  console.log(`${total('tests')} passed, ${total('failures') + (ran.length === 0 ? 1 : 0)} failed`)
  return ran.length > 0 && ran.every(result => result.passed) ? 0 : 1
}
