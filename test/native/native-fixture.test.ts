// The plugin's C heap counting across a whole run: per-test records, nested windows, config budgets
// on native, children and worker threads, a native crash, and the library turned off.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { TestMemory } from '../../src/index.js'
import type { MemoryReport } from '../../src/report/model.js'
import { type FixtureRun, fixturePath, runFixture } from '../helpers/run-fixture.js'

const root = fixturePath('native')
const MB = 2 ** 20
/** What Node mallocs beside a Buffer's contents, and the runner's own work inside a test's window. */
const SLACK = 256 * 1024

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('native in a run', () => {
  let run: FixtureRun
  let report: MemoryReport
  const memoryOf = (name: string) => run.tests.find(t => t.fullName === name)!.meta.memory as TestMemory

  beforeAll(async () => {
    rmSync(join(root, 'reports'), { recursive: true, force: true })
    run = await runFixture('native', {}, { captureOutput: true })
    report = JSON.parse(readFileSync(join(root, 'reports/memory.json'), 'utf8')) as MemoryReport
  })
  afterAll(() => rmSync(join(root, 'reports'), { recursive: true, force: true }))

  test('each test has its C heap peak, in the record and the JSON report', () => {
    const kept = memoryOf('keeps 10 MiB of C heap')
    expect(kept.native).toBeGreaterThanOrEqual(10 * MB)
    expect(kept.native).toBeLessThan(10 * MB + SLACK)
    expect(report.tests.find(t => t.name === 'keeps 10 MiB of C heap')!.metrics!.native).toBe(kept.native)
  })

  test('a matcher\'s window inside the test\'s does not hide the peak from the test', () => {
    const nested = memoryOf('measures 20 MiB inside a matcher, which the test\'s own window sees too')
    expect(nested.native).toBeGreaterThanOrEqual(20 * MB)
    expect(nested.native).toBeLessThan(20 * MB + 4 * SLACK)
  })

  test('a worker thread\'s C heap is the test\'s; the child it spawned had no LD_PRELOAD', () => {
    const spawner = run.tests.find(t => t.fullName === 'spawns a child and starts a worker thread')!
    expect(spawner.errors).toEqual([])
    expect((spawner.meta.memory as TestMemory).native).toBeGreaterThanOrEqual(8 * MB)
  })

  test('a native budget fails the test, with native in the figures', () => {
    const over = run.tests.find(t => t.fullName === 'over its native budget: 8 MiB')!
    expect(over.state).toBe('failed')
    expect(over.errors.join('\n')).toMatch(/native memory \(C heap: malloc, C\+\+ new\) 8\.\d+ MB is over the 5 MB budget of "native\.test\.ts > over \*"/)
    expect(over.errors.join('\n')).toMatch(/> native\s+8\.\d+ MB {2}peak of the C heap/)
  })

  test('a crash in native code is reported, and the run still writes every other test', () => {
    const crashed = report.tests.find(t => t.name === 'allocates, then crashes in native code')
    expect(crashed?.verdict).toBe('crashed')
    expect(report.tests.filter(t => t.file === 'native.test.ts')).toHaveLength(4)
  })

  test('turned off with a budget on native, the run refuses to start instead of passing on NaN', async () => {
    process.env.FIXTURE_NATIVE = 'off'
    try {
      await expect(runFixture('native', {}, { captureOutput: true })).rejects.toThrow('the budget "native.test.ts > over *" holds native memory, which this run cannot measure: memoryBudget({ native: false }) turned it off.')
    }
    finally {
      delete process.env.FIXTURE_NATIVE
    }
  })
})
