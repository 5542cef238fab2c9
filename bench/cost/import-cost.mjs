// What a test worker spends importing this package before its first test, measured in real workers.
//
// Method: Vitest imports `setupFiles` one after another, in order, before the test file. A first setup
// file stamps performance.now(), the package's setup module is next, and a last setup file records the
// time since the stamp. So the figure covers exactly the worker resolving, loading and running the
// package's setup module and everything it imports, in a fresh worker process (isolate: true forks
// one per file) started with the plugin's flags. The same run with an empty setup file in its place
// gives what Vitest itself spends on any setup file (resolving it, loading the last one); the
// difference is the package's own share.
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
  'setup-start.mjs': 'globalThis.__setupStarted = performance.now()\n',
  'setup-empty.mjs': '',
  'setup-end.mjs': `import { appendFileSync } from 'node:fs'\nappendFileSync(process.env.BENCH_OUTPUT, \`\${performance.now() - globalThis.__setupStarted}\\n\`)\n`,
}

function writeProject(dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const [name, text] of Object.entries(SOURCES)) writeFileSync(join(dir, name), text)
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `probe-${i}.test.mjs`), `import { test } from 'vitest'\ntest('first test', () => {})\n`)
  installPackage(dir)
}

function importTimes(dir, execArgv, middle) {
  const output = join(dir, 'times.txt')
  writeFileSync(output, '')
  writeFileSync(join(dir, 'vitest.config.mjs'), `export default { test: ${JSON.stringify({ pool: 'forks', execArgv, setupFiles: ['./setup-start.mjs', middle, './setup-end.mjs'] })} }\n`)
  timeProcess(process.execPath, [vitestBin, 'run', '--reporter=dot'], { cwd: dir, env: { ...process.env, BENCH_OUTPUT: output } })
  const times = readFileSync(output, 'utf8').trim().split('\n').filter(Boolean).map(Number)
  if (times.length !== FILES)
    throw new Error(`expected ${FILES} timings, one per fresh worker, got ${times.length}`)
  return times
}

/** Median ms per fresh worker with the package's setup module and with an empty one, over `rounds` alternating runs. */
export function measureImportCost(dir, execArgv, rounds) {
  writeProject(dir)
  const samples = { package: [], empty: [] }
  for (let round = 0; round < rounds; round++) {
    samples.package.push(...importTimes(dir, execArgv, 'vitest-memory-budget/setup'))
    samples.empty.push(...importTimes(dir, execArgv, './setup-empty.mjs'))
  }
  return { package: median(samples.package), empty: median(samples.empty), workers: samples.package.length }
}

export function printImportCost({ package: withPackage, empty, workers }) {
  const own = withPackage - empty
  printTable(`Importing the package in a fresh worker before its first test (median of ${workers} workers; target <= ${IMPORT_TARGET_MS} ms)`, ['setup module between the two stamps', 'ms'], [
    ['vitest-memory-budget/setup', withPackage.toFixed(2)],
    ['an empty setup file', empty.toFixed(2)],
    [`the package's own share${own > IMPORT_TARGET_MS ? '  (over target)' : ''}`, own.toFixed(2)],
  ])
}
