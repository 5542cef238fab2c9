import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { MemoryReport, ReportTest } from '../src/report/model.js'
import { fixturePath, runFixture } from './helpers/run-fixture.js'

function readReport(fixture: string): MemoryReport {
  return JSON.parse(readFileSync(join(fixturePath(fixture), 'reports/memory.json'), 'utf8')) as MemoryReport
}

function byName(report: MemoryReport): Record<string, ReportTest> {
  return Object.fromEntries(report.tests.map(t => [t.name, t]))
}

describe('faults in the tests being measured', () => {
  test('a test that exhausts the heap is named as crashed; the other tests keep their records', async () => {
    rmSync(join(fixturePath('faults'), 'reports'), { recursive: true, force: true })
    const run = await runFixture('faults')
    expect(run.exitCode).toBe(1)
    const report = readReport('faults')
    const tests = byName(report)
    expect(report.summary).toMatchObject({ tests: 5, measured: 3, crashed: 1, notMeasured: 1 })

    const crashed = tests['grows without end']!
    expect(crashed).toMatchObject({ file: 'runaway.test.ts', verdict: 'crashed', metrics: null })
    // The heapLimit option capped the worker at 64 MB of old generation, and V8's own limit adds the young generation.
    expect(crashed.crash!.heapLimit).toBe(64e6)
    expect(crashed.crash!.v8HeapLimit).toBeGreaterThan(64e6)
    expect(crashed.crash!.v8HeapLimit).toBeLessThan(160e6)
    // When it started, the worker held the 10 MB Buffer the test before it kept.
    expect(crashed.crash!.external).toBeGreaterThanOrEqual(10e6)

    // Vitest lost the result of the test that ran before the crash in the same worker; its trail did not.
    expect(tests['keeps 10 MB']!.metrics!.external).toBeGreaterThanOrEqual(10e6)
    expect(tests['keeps 10 MB']!.metrics!.external).toBeLessThan(10.1e6)
    // And their results, as they ended.
    expect(tests['fails at once']!.state).toBe('failed')
    expect(tests['keeps 10 MB']!.state).toBe('passed')
    expect(tests['never runs']).toMatchObject({ verdict: 'not-measured' })
    expect(tests['allocates 5 MB']!.metrics!.external).toBeGreaterThanOrEqual(5e6)
  })

  test('fake timers, tests that call gc(), child processes and timeouts leave the numbers right', async () => {
    rmSync(join(fixturePath('hazards'), 'reports'), { recursive: true, force: true })
    const run = await runFixture('hazards')
    const states = Object.fromEntries(run.tests.map(t => [t.fullName, t.state]))
    expect(states).toEqual({
      'allocates 10 MB under fake timers': 'passed',
      'asserts a budget under fake timers': 'passed',
      'sleeps 300 ms for real while the fake clock stands still, then jumps an hour': 'passed',
      'calls gc() itself after dropping 20 MB': 'passed',
      'spawns a child that allocates 50 MB': 'passed',
      'allocates 10 MB, then never finishes': 'failed',
      'runs after the timed-out test': 'passed',
      'an afterEach that throws > waits 250 ms, then its afterEach throws': 'failed',
      'runs after the throwing afterEach': 'passed',
    })
    const tests = byName(readReport('hazards'))
    const metrics = (name: string) => tests[name]!.metrics!

    // Fake timers (performance.now included) change neither the peaks nor the durations: the
    // duration is the real 300 ms sleep, not the fake clock's reading.
    expect(metrics('allocates 10 MB under fake timers').external).toBeGreaterThanOrEqual(10e6)
    expect(metrics('allocates 10 MB under fake timers').external).toBeLessThan(10.1e6)
    const slept = metrics('sleeps 300 ms for real while the fake clock stands still, then jumps an hour').duration
    expect(slept).toBeGreaterThanOrEqual(300)
    expect(slept).toBeLessThan(60_000)

    // A test's own gc() call frees what it dropped, but the peak before it still counts.
    expect(metrics('calls gc() itself after dropping 20 MB').external).toBeGreaterThanOrEqual(20e6)
    expect(metrics('calls gc() itself after dropping 20 MB').retained).toBeLessThan(1e6)

    // A child process has memory of its own: none of its 50 MB is the test's.
    expect(metrics('spawns a child that allocates 50 MB').total).toBeLessThan(5e6)
    expect(metrics('spawns a child that allocates 50 MB').rss).toBeLessThan(10e6)

    // A timed-out test is recorded up to its timeout, and does not spill into the next test.
    expect(tests['allocates 10 MB, then never finishes']!.state).toBe('failed')
    // Less by at most the runner's garbage a test may start on without a GC of its own (256 KiB,
    // RUNNER_ALLOWANCE in the recorder), which the closing GC then frees.
    expect(metrics('allocates 10 MB, then never finishes').retained).toBeGreaterThanOrEqual(10e6 - 256 * 1024)
    expect(metrics('allocates 10 MB, then never finishes').retained).toBeLessThan(10.5e6)
    expect(metrics('runs after the timed-out test').total).toBeLessThan(3e6)

    // The runner's progress message held while the first test was measured was let go, though the
    // test's afterEach threw: the run went on and finished.
    expect(metrics('runs after the throwing afterEach').external).toBeGreaterThanOrEqual(1e6)
  })

  test('a run stopped by bail writes a whole report and blames no test for a crash', async () => {
    rmSync(join(fixturePath('hazards'), 'reports'), { recursive: true, force: true })
    const run = await runFixture('hazards', { bail: 1 })
    expect(run.exitCode).toBe(1)
    const report = readReport('hazards')
    expect(report.summary.crashed).toBe(0)
    expect(report.tests.find(t => t.name === 'allocates 10 MB, then never finishes')).toMatchObject({ state: 'failed' })
  })
})
