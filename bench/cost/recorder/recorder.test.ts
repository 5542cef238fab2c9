// The recorder's own work per test, in a Vitest worker with the plugin's flags: the calls the
// plugin's hooks make around each test (src/matchers/test-hooks.ts: the trail's start line, the
// recorder's start and finish, the trail's finish line) on tiny tests, timed one by one. The
// collections the GC policy forces are timed apart (globalThis.gc is wrapped) and left out of the
// recorder's figure, as issue 22 counts it. One source tree (BENCH_SOURCE: the repository's src, or
// another checkout's to compare with) and one mode a worker: BENCH_MODE=untraced makes the GC
// profiler's start and stop no-ops. Switching them back and forth in one worker deoptimized the
// window's code (57 to 67 µs a test read 30 to 34 in workers of one mode each), and in one run a
// second tree in the same worker read 40 µs a test slower than the first, its trail (the same code
// in both) included.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import v8 from 'node:v8'
import { test } from 'vitest'

const TESTS = Number(process.env.BENCH_TESTS ?? 2000)
const untraced = process.env.BENCH_MODE === 'untraced'
const source = process.env.BENCH_SOURCE!

type GcFn = (options?: { type: 'minor' }) => void
const realGc = (globalThis as unknown as { gc: GcFn }).gc
let gcMs = 0
let gcCount = 0
// Installed before any meter takes gc() (src/measure/gc.ts keeps the first one it finds).
;(globalThis as unknown as { gc: GcFn }).gc = (options) => {
  const start = performance.now()
  realGc(options)
  gcMs += performance.now() - start
  gcCount++
}

// The GC trace taken out: a profiler that records nothing, to price the real one by difference.
if (untraced) {
  v8.GCProfiler.prototype.start = () => {}
  v8.GCProfiler.prototype.stop = () => ({ version: 1, startTime: 0, endTime: 0, statistics: [] })
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!

/** What the runner allocates between two tests (tens of kB), and a tiny test's own work. */
let kept: unknown
const gap = () => {
  kept = Array.from({ length: 200 }, (_, i) => ({ i, name: `task ${i}` }))
}
const body = () => {
  kept = { values: Array.from({ length: 20 }, (_, i) => i * 2) }
}

async function recorderOf(source: string, trailDirectory: string) {
  const { createTestRecorder } = await import(join(source, 'worker/test-recorder.ts'))
  const { createNodeMeter, relativeFile } = await import(join(source, 'worker/node-meter.ts'))
  const { openTrail } = await import(join(source, 'worker/trail.ts'))
  const { FULL_GC_THRESHOLD } = await import(join(source, 'measure/gc-policy.ts'))
  const root = '/project'
  return {
    recorder: createTestRecorder({ root, budgets: [], relativeFile }, createNodeMeter({ gcBeforeEachTest: 'auto', fullGcThreshold: FULL_GC_THRESHOLD })),
    trail: openTrail(trailDirectory),
  }
}

/** Runs `TESTS` tiny tests through one recorder: per test, µs of recorder work (collections out) and of trail, and the collections. */
function runTests(setup: Awaited<ReturnType<typeof recorderOf>>, round: number) {
  const { recorder, trail } = setup
  const file = { filepath: `/project/test/round-${round}.test.ts` }
  const suite = { name: 'round', filepath: file.filepath }
  const recorderUs: number[] = []
  const trailUs: number[] = []
  const gcCountBefore = gcCount
  const gcMsBefore = gcMs
  for (let i = 0; i < TESTS; i++) {
    gap()
    const task = { id: `${round}_${i}`, name: `test ${i}`, file, suite, result: { retryCount: 0, repeatCount: 0 } }
    const t0 = performance.now()
    trail.start(task.id)
    const t1 = performance.now()
    const gcBefore = gcMs
    recorder.start(task)
    const t2 = performance.now()
    body()
    const t3 = performance.now()
    const record = recorder.finish(task)
    const t4 = performance.now()
    trail.finish(task.id, record)
    const t5 = performance.now()
    recorderUs.push((t2 - t1 + t4 - t3 - (gcMs - gcBefore)) * 1000)
    trailUs.push((t1 - t0 + t5 - t4) * 1000)
  }
  return { recorderUs: median(recorderUs), trailUs: median(trailUs), collections: (gcCount - gcCountBefore) / TESTS, collectionMs: (gcMs - gcMsBefore) / TESTS }
}

test(`the recorder alone, µs per test${untraced ? ', without the GC trace' : ''}`, { timeout: 600_000 }, async () => {
  const trails = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-bench-trail-'))
  try {
    const setup = await recorderOf(source, trails)
    // A warm-up round, not kept: the first tests of a worker pay for compiling the recorder. Then
    // the median of three rounds, figure by figure.
    runTests(setup, -1)
    const rounds = [0, 1, 2].map(round => runTests(setup, round))
    const middle = (key: keyof (typeof rounds)[number]) => median(rounds.map(round => round[key]))
    writeFileSync(process.env.BENCH_OUTPUT!, JSON.stringify({ recorderUs: middle('recorderUs'), trailUs: middle('trailUs'), collections: middle('collections'), collectionMs: middle('collectionMs') }))
  }
  finally {
    rmSync(trails, { recursive: true, force: true })
  }
})
