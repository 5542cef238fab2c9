// `npm run bench`: the figures behind the README's claims, measured in one run on this machine.
// Prints tables; asserts no figure (timings on a shared machine are for reading, not for failing on),
// but fails when a part of it fails or a figure is missing: a NaN row would read as a result.
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { printBrowserTables } from '../bench/browser.mjs'
import { printCostTables } from '../bench/cost.mjs'
import { measureRecorder, printRecorder } from '../bench/cost/recorder.mjs'
import { pluginWorkerOptions } from '../bench/cost/variants.mjs'
import { printDeterminismTables } from '../bench/determinism/index.mjs'
import { printLeakTables } from '../bench/leaks.mjs'
import { printNativeTables } from '../bench/native.mjs'
import { BUILD } from './counted-runs.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
// `npm run bench -- --only 6 --only Cost`: the parts whose names start with one of these.
const { values: { only = [] } } = parseArgs({ options: { only: { type: 'string', multiple: true } } })
const build = spawnSync(process.execPath, [BUILD], { cwd: root, stdio: 'inherit' })
if (build.status !== 0)
  process.exit(1)

const { formatBytes, measureMemory } = await import('../dist/index.js')
const { WORKLOADS } = await import('../bench/workloads.mjs')
const { measureOverhead } = await import('../bench/overhead.mjs')

const MiB = 2 ** 20
const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]

function table(title, header, rows) {
  const missing = rows.find(row => row.some(cell => /NaN|Infinity|undefined/.test(String(cell))))
  if (missing)
    throw new Error(`${title}: a figure is missing in the row ${JSON.stringify(missing)}`)
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)))
  const line = cells => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
  console.log(`\n${title}\n\n  ${line(header)}\n  ${widths.map(w => '-'.repeat(w)).join('  ')}\n${rows.map(r => `  ${line(r)}`).join('\n')}`)
}

/** Names of the parts that failed; each failure is printed where it happened and the bench goes on. */
const failed = []

/** Runs one part of the bench: a failure prints what went wrong and leaves the other parts to run. */
async function section(name, run) {
  if (only.length > 0 && !only.some(prefix => name.startsWith(prefix)))
    return
  try {
    await run()
  }
  catch (error) {
    failed.push(name)
    console.error(`\n✗ ${name}: failed\n${error instanceof Error ? error.stack ?? error.message : String(error)}`)
  }
}

await section('1. Measurement error', async () => {
  // 1. Measurement error against known allocation sizes.
  /** @type {Array<[string, number, 'heap' | 'external' | 'total' | 'rss', () => unknown]>} */
  const known = [
    ['Buffer.alloc(1 MB, 1)', 1e6, 'external', () => Buffer.alloc(1e6, 1)],
    ['Buffer.alloc(10 MB, 1)', 10e6, 'external', () => Buffer.alloc(10e6, 1)],
    ['Buffer.alloc(100 MB, 1)', 100e6, 'external', () => Buffer.alloc(100e6, 1)],
    ['new ArrayBuffer(1 GiB), zeros', 2 ** 30, 'total', () => new ArrayBuffer(2 ** 30).byteLength],
    ['new ArrayBuffer(1 GiB), zeros', 0, 'rss', () => new ArrayBuffer(2 ** 30).byteLength],
    ['Buffer.alloc(256 MiB, 1)', 256 * MiB, 'rss', () => Buffer.alloc(256 * MiB, 1).length],
    // A flat one-byte string holds one byte per character on the heap; repeat() builds a rope, and
    // reading a character flattens it.
    ['\'x\'.repeat(50M), flattened', 50e6, 'heap', () => 'x'.repeat(50e6).charCodeAt(0)],
    ['new Float64Array(10M)', 80e6, 'external', () => new Float64Array(10e6).length],
  ]
  const errorRows = []
  for (const [name, expected, metric, fn] of known) {
    const measured = (await measureMemory(fn))[metric]
    const family = name.includes('iB') ? 'iec' : 'si'
    errorRows.push([name, metric, formatBytes(expected, family), formatBytes(measured, family), expected === 0 ? '(zero pages)' : `${(((measured - expected) / expected) * 100).toFixed(2)}%`])
  }
  table('1. Measurement error against known allocations (this process, no GC flags)', ['allocation', 'metric', 'expected', 'measured', 'error'], errorRows)
})

await section('2. Synchronous spikes', async () => {
  // 2. Spikes caught: measureMemory against a 10 ms setInterval sampler, around the same calls.
  async function withIntervalSampler(fn) {
    let peak = 0
    const start = process.memoryUsage()
    const sample = () => {
      const now = process.memoryUsage()
      peak = Math.max(peak, now.heapUsed + now.external - start.heapUsed - start.external)
    }
    const timer = setInterval(sample, 10)
    const measured = await measureMemory(fn)
    sample()
    clearInterval(timer)
    return { measured: measured.total, sampled: peak }
  }
  const spikes = [
    ['allocate and drop 64 MiB', () => new Uint8Array(64 * MiB).fill(1).length],
    ['build and drop 1M objects', () => Array.from({ length: 1_000_000 }, (_, i) => ({ i })).length],
    ['5 ms burst of strings', () => {
      const until = performance.now() + 5
      const parts = []
      while (performance.now() < until) parts.push('x'.repeat(1000) + parts.length)
      return parts.length
    }],
  ]
  const spikeRows = []
  for (const [name, fn] of spikes) {
    const { measured, sampled } = await withIntervalSampler(fn)
    spikeRows.push([name, formatBytes(measured), formatBytes(sampled), `${((sampled / measured) * 100).toFixed(0)}%`])
  }
  // No timer can fire while synchronous code runs, so the sampler cannot see these spikes at all: its
  // figure is the value it started with (0 B), read again after the call. That is the point, not a
  // measurement of how often it misses.
  table('2. Synchronous spikes: exact GC-boundary peak vs a 10 ms interval sampler (which cannot fire during synchronous code: it keeps its starting 0 B)', ['workload', 'measureMemory', '10 ms sampler', 'sampler saw'], spikeRows)
})

await section('3. Spread in fresh processes', async () => {
  // 3. Spread of peaks across fresh processes, with and without deterministic flags, for everyday code.
  const PROCESSES = 5
  // The flags and the flag-restoring preload exactly as the plugin gives them to its workers.
  const modes = [
    ['deterministic', (await pluginWorkerOptions(root)).execArgv],
    ['default GC', ['--expose-gc']],
  ]
  const spread = values => `${((Math.max(...values) / Math.max(1, Math.min(...values)) - 1) * 100).toFixed(3)}%`
  const spreadRows = []
  for (const workload of Object.keys(WORKLOADS)) {
    for (const [mode, flags] of modes) {
      const runs = Array.from({ length: PROCESSES }, () => {
        const child = spawnSync(process.execPath, [...flags, join(root, 'bench/workloads.mjs'), workload], { encoding: 'utf8' })
        if (child.status !== 0)
          throw new Error(`workload ${workload} (${mode}) failed:\n${child.stderr}`)
        return JSON.parse(child.stdout)
      })
      const totals = runs.map(run => run.total)
      spreadRows.push([workload, mode, formatBytes(Math.min(...totals)), formatBytes(Math.max(...totals)), spread(totals), spread(runs.map(run => run.heap)), `${new Set(totals).size} of ${PROCESSES}`])
    }
  }
  table(`3. Peak of the same workload in ${PROCESSES} fresh processes (the no-op's figure is the instrument's own noise)`, ['workload', 'mode', 'min total', 'max total', 'total spread', 'heap spread', 'distinct'], spreadRows)
})

await section('3b. Spread in Vitest workers', async () => {
  // 3b. The same in real Vitest workers under the plugin: the repository's determinism fixture, five
  // test files each measuring the workload in a fresh forked worker.
  const { startVitest } = await import('vitest/node')
  async function fixturePeaks(deterministic) {
    const totals = []
    const failures = []
    const collector = {
      onTestRunEnd(modules, errors) {
        for (const module of modules) {
          for (const test of module.children.allTests()) {
            totals.push(test.meta().total)
            if (test.result().state !== 'passed')
              failures.push(`${module.moduleId}: ${test.result().errors?.map(error => error.message).join('; ') ?? test.result().state}`)
          }
        }
        failures.push(...errors.map(error => String(error?.message ?? error)))
      },
    }
    process.env.FIXTURE_DETERMINISTIC = String(deterministic)
    const quiet = new Writable({ write: (_chunk, _encoding, done) => done() })
    const vitest = await startVitest('test', [], { root: join(root, 'test/fixtures/determinism'), watch: false, reporters: [collector] }, {}, { stdout: quiet, stderr: quiet })
    await vitest.close()
    // startVitest sets the exit code on a failed run; this script reports failures by throwing.
    process.exitCode = 0
    if (failures.length > 0 || totals.length !== 5)
      throw new Error(`the determinism fixture failed (deterministic: ${deterministic}, ${totals.length} of 5 tests):\n${failures.join('\n')}`)
    return totals
  }
  const workerRows = []
  for (const deterministic of [true, false]) {
    for (let round = 1; round <= 2; round++) {
      const totals = await fixturePeaks(deterministic)
      const min = Math.min(...totals)
      const max = Math.max(...totals)
      workerRows.push([`deterministic: ${deterministic}`, round, formatBytes(min), formatBytes(max), `${(max / min).toFixed(3)}x`, `${new Set(totals).size} of ${totals.length}`])
    }
  }
  delete process.env.FIXTURE_DETERMINISTIC
  table('3b. Peak (total) of 64 MiB x20 + a JSON round trip, in 5 fresh Vitest workers under the plugin', ['plugin option', 'run', 'min', 'max', 'max/min', 'distinct'], workerRows)
})

await section('4. Cost of one call', async () => {
  // 4. Cost of one call inside a real Vitest worker under the plugin.
  const outputDir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-bench-'))
  const output = join(outputDir, 'cost.json')
  const costRun = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', join(root, 'bench/matcher-cost'), '--reporter=dot'], { encoding: 'utf8', env: { ...process.env, BENCH_OUTPUT: output } })
  if (costRun.status !== 0)
    throw new Error(`the cost benchmark failed:\n${costRun.stdout}\n${costRun.stderr}`)
  const costs = JSON.parse(readFileSync(output, 'utf8'))
  rmSync(outputDir, { recursive: true, force: true })
  table('4. Cost of one call in a Vitest worker under the plugin (50 calls)', ['call', 'median', 'p90'], Object.entries(costs).map(([name, times]) => [name, `${median(times).toFixed(2)} ms`, `${percentile(times, 0.9).toFixed(2)} ms`]))
})

await section('4b. Leak detection', () => printLeakTables())

await section('5. Overhead of measuring every test', async () => {
  // 5. Overhead of measuring every test.
  const overhead = measureOverhead(3)
  table('5. A generated suite of 500 small tests in 10 files, forks pool, median of 3 runs', ['run', 'wall time'], [
    ['without the plugin', `${(overhead.plain / 1000).toFixed(2)} s`],
    ['with the plugin', `${(overhead.measured / 1000).toFixed(2)} s`],
    ['ratio', `${overhead.ratio.toFixed(2)}x`],
  ])

  // 5b. What a clean baseline from a forced full GC before every test would cost instead (the README's
  // reason for the plugin's default, gcBeforeEachTest: 'auto').
  const { timeSuites } = await import('../bench/overhead.mjs')
  const forced = timeSuites({ always: "{ gcBeforeEachTest: 'always' }" }, 3).medians.always
  table('5b. The same suite with a full GC before every test (gcBeforeEachTest: \'always\'), median of 3 runs', ['run', 'wall time', 'vs without the plugin'], [
    ['plugin defaults (from 5)', `${(overhead.measured / 1000).toFixed(2)} s`, `${overhead.ratio.toFixed(2)}x`],
    ['a full GC before every test', `${(forced / 1000).toFixed(2)} s`, `${(forced / overhead.plain).toFixed(2)}x`],
  ])
})

await section('Cost of measuring every test (suites A, B, C, the import, the end of the run)', printCostTables)
// `npm run bench -- --only Recorder`; BENCH_BASE_SRC=<another checkout>/src adds its figures from the same run.
await section('Recorder: its own work per test', async () => printRecorder(measureRecorder(root, (await pluginWorkerOptions(root)).execArgv)))
await section('6. Determinism in Vitest workers', printDeterminismTables)
await section('7. Browser mode (Chromium)', () => printBrowserTables())
await section('8. Native memory: the interposer\'s cost', () => printNativeTables(table))

console.log('')
if (failed.length > 0) {
  console.error(`\n✗ ${failed.length} part(s) of the bench failed; the others are printed above:\n${failed.map(f => `  - ${f}`).join('\n')}`)
  process.exitCode = 1
}
