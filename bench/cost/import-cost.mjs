// What a test worker spends loading this package before its first test, measured in real workers.
//
// The plugin's Node workers load its test runner; a project with a runner of its own loads the
// setup module instead. Both are measured the same way: a stamp right before Vitest loads the
// package's module and one right after, in a fresh worker process (isolate: true forks one per file)
// started with the plugin's flags, against an empty module of an installed package in its place,
// which gives what Vitest itself spends on any dependency (resolving it, loading it natively). The
// difference is the package's own share.
// - The runner: the project's runner is a local file that stamps, imports the runner given in
//   BENCH_RUNNER and constructs it (the plugin's runner installs the matchers when made), then
//   records the time. The empty one extends Vitest's TestRunner and does nothing else.
// - The setup module: Vitest imports `setupFiles` one after another, in order, before the test
//   file. A first setup file imports 'vitest' and stamps, the package's setup module is next, and a
//   last setup file records the time since the stamp. Vitest's index is loaded before the stamp
//   because every worker loads it (or, with `globals: true`, the same modules) before its first
//   test anyway: a setup module that imported it first would only move that cost, about 2 ms, into
//   its own figure. An empty local setup file is shown too, for scale.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { installPackage } from '../overhead.mjs'
import { median, printTable } from './table.mjs'
import { timeProcess } from './time-process.mjs'

const root = fileURLToPath(new URL('../..', import.meta.url))
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs')
const FILES = 8
export const IMPORT_TARGET_MS = 5

const SOURCES = {
  'package.json': '{ "name": "import-cost", "private": true, "type": "module" }\n',
  'setup-start.mjs': `import 'vitest'\nglobalThis.__setupStarted = performance.now()\n`,
  'setup-empty.mjs': '',
  'node_modules/empty-setup/package.json': '{ "name": "empty-setup", "type": "module", "exports": { "./setup": "./setup.js" } }\n',
  'node_modules/empty-setup/setup.js': '',
  'setup-end.mjs': `import { appendFileSync } from 'node:fs'\nappendFileSync(process.env.BENCH_OUTPUT, \`\${performance.now() - globalThis.__setupStarted}\\n\`)\n`,
  'node_modules/empty-runner/package.json': '{ "name": "empty-runner", "type": "module", "exports": { "./runner": "./runner.js" } }\n',
  'node_modules/empty-runner/runner.js': `import { TestRunner } from 'vitest'\nexport default class EmptyRunner extends TestRunner {}\n`,
  'timed-runner.mjs': `import { appendFileSync } from 'node:fs'
import 'vitest'
const started = performance.now()
const { default: Runner } = await import(process.env.BENCH_RUNNER)
const imported = performance.now() - started
export default class TimedRunner extends Runner {
  constructor(...args) {
    const constructing = performance.now()
    super(...args)
    appendFileSync(process.env.BENCH_OUTPUT, \`\${imported + performance.now() - constructing}\\n\`)
  }
}
`,
}

function writeProject(dir) {
  rmSync(dir, { recursive: true, force: true })
  for (const pkg of ['empty-setup', 'empty-runner']) mkdirSync(join(dir, 'node_modules', pkg), { recursive: true })
  for (const [name, text] of Object.entries(SOURCES)) writeFileSync(join(dir, name), text)
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `probe-${i}.test.mjs`), `import { test } from 'vitest'\ntest('first test', () => {})\n`)
  installPackage(dir)
}

/** Times per fresh worker of one run whose config is `test` (with the plugin's flags). */
function timesPerWorker(dir, test, env = {}) {
  const output = join(dir, 'times.txt')
  writeFileSync(output, '')
  writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: ${JSON.stringify({ pool: 'forks', ...test })} }\n`)
  timeProcess(process.execPath, [vitestBin, 'run', '--reporter=dot'], { cwd: dir, env: { ...process.env, ...env, BENCH_OUTPUT: output } })
  const times = readFileSync(output, 'utf8').trim().split('\n').filter(Boolean).map(Number)
  if (times.length !== FILES)
    throw new Error(`expected ${FILES} timings, one per fresh worker, got ${times.length}`)
  return times
}

const setupTimes = (dir, execArgv, middle) => timesPerWorker(dir, { execArgv, setupFiles: ['./setup-start.mjs', middle, './setup-end.mjs'] })
const runnerTimes = (dir, execArgv, runner) => timesPerWorker(dir, { execArgv, runner: './timed-runner.mjs' }, { BENCH_RUNNER: join(dir, 'node_modules', runner) })

/** Median ms per fresh worker with the package's runner and setup module and with empty ones, over `rounds` alternating runs. */
export function measureImportCost(dir, execArgv, rounds) {
  writeProject(dir)
  const samples = { runner: [], emptyRunner: [], setup: [], emptySetup: [], emptyFile: [] }
  for (let round = 0; round < rounds; round++) {
    samples.runner.push(...runnerTimes(dir, execArgv, 'vitest-memory-budget/dist/matchers/test-runner.js'))
    samples.emptyRunner.push(...runnerTimes(dir, execArgv, 'empty-runner/runner.js'))
    samples.setup.push(...setupTimes(dir, execArgv, 'vitest-memory-budget/setup'))
    samples.emptySetup.push(...setupTimes(dir, execArgv, 'empty-setup/setup'))
    samples.emptyFile.push(...setupTimes(dir, execArgv, './setup-empty.mjs'))
  }
  const { runner, emptyRunner, setup, emptySetup, emptyFile } = samples
  return { runner: median(runner), emptyRunner: median(emptyRunner), setup: median(setup), emptySetup: median(emptySetup), emptyFile: median(emptyFile), workers: runner.length }
}

const share = (own, what) => [`${what}${own > IMPORT_TARGET_MS ? '  (over target)' : ''}`, own.toFixed(2)]

export function printImportCost({ runner, emptyRunner, setup, emptySetup, emptyFile, workers }) {
  printTable(`Loading the package in a fresh worker before its first test (median of ${workers} workers; target <= ${IMPORT_TARGET_MS} ms)`, ['between the two stamps', 'ms'], [
    ['the plugin\'s test runner, imported and made', runner.toFixed(2)],
    ['an empty runner of an installed package', emptyRunner.toFixed(2)],
    share(runner - emptyRunner, 'the package\'s own share, under the plugin'),
    ['vitest-memory-budget/setup (a project with its own runner)', setup.toFixed(2)],
    ['empty-setup/setup (an empty installed package)', emptySetup.toFixed(2)],
    ['./setup-empty.mjs (an empty local file)', emptyFile.toFixed(2)],
    share(setup - emptySetup, 'the package\'s own share, from the setup module'),
  ])
}
