// What a test worker spends importing this package before its first test, measured in real workers.
//
// Method: Vitest imports `setupFiles` one after another, in order, before the test file. A first setup
// file imports 'vitest' and stamps performance.now(), the package's setup module is next, and a last
// setup file records the time since the stamp. Vitest's index is loaded before the stamp because
// every worker loads it (or, with `globals: true`, the same modules) before its first test anyway: a
// setup module that imported it first would only move that cost, about 2 ms, into its own figure.
// So the figure covers exactly the worker resolving, loading and running the package's setup module
// and everything it imports, in a fresh worker process (isolate: true forks one per file) started
// with the plugin's flags. The same run with an empty module of an installed package in its place
// gives what Vitest itself spends on any dependency's setup module (resolving a bare specifier,
// deciding to load it natively, loading the last file); the difference is the package's own share.
// An empty local setup file is shown too, for scale.
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
}

function writeProject(dir) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules/empty-setup'), { recursive: true })
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

/** Median ms per fresh worker with the package's setup module and with empty ones, over `rounds` alternating runs. */
export function measureImportCost(dir, execArgv, rounds) {
  writeProject(dir)
  const samples = { package: [], emptyPackage: [], emptyFile: [] }
  for (let round = 0; round < rounds; round++) {
    samples.package.push(...importTimes(dir, execArgv, 'vitest-memory-budget/setup'))
    samples.emptyPackage.push(...importTimes(dir, execArgv, 'empty-setup/setup'))
    samples.emptyFile.push(...importTimes(dir, execArgv, './setup-empty.mjs'))
  }
  return { package: median(samples.package), emptyPackage: median(samples.emptyPackage), emptyFile: median(samples.emptyFile), workers: samples.package.length }
}

export function printImportCost({ package: withPackage, emptyPackage, emptyFile, workers }) {
  const own = withPackage - emptyPackage
  printTable(`Importing the package in a fresh worker before its first test (median of ${workers} workers; target <= ${IMPORT_TARGET_MS} ms)`, ['setup module between the two stamps', 'ms'], [
    ['vitest-memory-budget/setup', withPackage.toFixed(2)],
    ['empty-setup/setup (an empty installed package)', emptyPackage.toFixed(2)],
    ['./setup-empty.mjs (an empty local file)', emptyFile.toFixed(2)],
    [`the package's own share${own > IMPORT_TARGET_MS ? '  (over target)' : ''}`, own.toFixed(2)],
  ])
}
