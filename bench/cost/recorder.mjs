// Issue 22's first figure: the recorder's own work per test, in a Vitest worker with the plugin's
// flags, by part, next to the collections the GC policy forces (which it leaves out). `BENCH_BASE_SRC`
// (another checkout's src/) adds that tree's figures from the same worker, in alternating rounds:
// a before-and-after ratio from one run on a loaded machine.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { median, printTable } from './table.mjs'

/** Per source tree: the median over rounds (a fresh worker for each tree and mode, alternating) of each worker's median µs per test, and collections per test. */
export function measureRecorder(root, execArgv, { tests = 2000, rounds = 3, baseSource = process.env.BENCH_BASE_SRC } = {}) {
  const sources = [join(root, 'src'), ...(baseSource ? [baseSource] : [])]
  const dir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-bench-recorder-'))
  try {
    const output = join(dir, 'recorder.json')
    const runWorker = (source, mode) => {
      const env = { ...process.env, BENCH_EXEC_ARGV: JSON.stringify(execArgv), BENCH_SOURCE: source, BENCH_OUTPUT: output, BENCH_TESTS: String(tests), BENCH_MODE: mode }
      const run = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--root', join(root, 'bench/cost/recorder'), '--reporter=dot'], { encoding: 'utf8', env })
      if (run.status !== 0)
        throw new Error(`the recorder bench failed (${mode}):\n${run.stdout}\n${run.stderr}`)
      return JSON.parse(readFileSync(output, 'utf8'))
    }
    const runs = sources.map(() => ({ shipped: [], untraced: [] }))
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['shipped', 'untraced'])
        sources.forEach((source, i) => runs[i][mode].push(runWorker(source, mode)))
    }
    return runs.map(({ shipped, untraced }, i) => {
      const of = (values, key) => median(values.map(r => r[key]))
      return {
        source: i === 0 ? 'this tree' : `base (${baseSource})`,
        recorder: of(shipped, 'recorderUs'),
        trace: of(shipped, 'recorderUs') - of(untraced, 'recorderUs'),
        trail: of(shipped, 'trailUs'),
        collections: of(shipped, 'collections'),
        collectionMs: of(shipped, 'collectionMs'),
      }
    })
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function printRecorder(rows, { tests = 2000, rounds = 3 } = {}) {
  const us = value => `${value.toFixed(1)} µs`
  printTable(`Recorder: its own work per tiny test in a Vitest worker (median of ${rounds} fresh workers, each the median of 3 rounds of ${tests} tests; collections left out, shown apart)`,
    ['tree', 'recorder + trail', 'GC trace', 'readings, policy, record', 'trail', 'collections a test', 'their time a test'],
    rows.map(row => [row.source, us(row.recorder + row.trail), us(row.trace), us(row.recorder - row.trace), us(row.trail), row.collections.toFixed(2), `${(row.collectionMs * 1000).toFixed(0)} µs`]))
  if (rows.length === 2)
    console.log(`\n  this tree / base: ${((rows[0].recorder + rows[0].trail) / (rows[1].recorder + rows[1].trail)).toFixed(2)}x (recorder + trail)`)
}
