import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { fixturePath, runFixture } from './helpers/run-fixture.js'

describe('memoryBudget() plugin, on real Vitest runs', () => {
  test('an un-awaited memory matcher fails its test and says to await it', async () => {
    const run = await runFixture('not-awaited')
    const byName = Object.fromEntries(run.tests.map(t => [t.fullName, t]))
    expect(byName['forgets await on a passing assertion']).toMatchObject({ state: 'failed' })
    expect(byName['forgets await on a passing assertion']!.errors[0]).toContain(`A memory assertion was not awaited.`)
    expect(byName['forgets await on a passing assertion']!.errors[0]).toContain(`await expect(fn).toStayUnder("10MB")   (it passed)`)
    expect(byName['forgets await on a failing assertion']!.errors[0]).toContain(`await expect(fn).toStayUnder("1MB")   (it failed: expected the function to stay under 1 MB`)
    for (const name of ['awaits', 'returns the assertion', 'awaits through Promise.all', 'awaits through .rejects'])
      expect(byName[name], name).toMatchObject({ state: 'passed' })
    // The failure is reported once, on the test, not again as an unhandled rejection.
    expect(run.unhandledErrors).toEqual([])
    expect(run.exitCode).toBe(1)
  })

  test('the same workload in 5 fresh worker processes measures the same peak', async () => {
    const run = await runFixture('determinism')
    expect(run.tests).toHaveLength(5)
    expect(run.tests.every(t => t.state === 'passed')).toBe(true)
    expect(new Set(run.tests.map(t => t.meta.pid)).size).toBe(5)
    const totals = run.tests.map(t => t.meta.total as number)
    // Without deterministic mode this workload's peak ranges over tens of MB (npm run bench prints
    // it). With it, what remains is the worker's own jitter: about 0.2%, a few hundred kB of young
    // garbage more or less at the peak.
    const spread = Math.max(...totals) / Math.min(...totals) - 1
    expect(spread, `totals: ${totals.join(', ')}`).toBeLessThan(0.01)
  })

  test('applies to every project of a multi-project config, with or without extends', async () => {
    const run = await runFixture('multi-project')
    expect(run.tests.map(t => [t.project, t.state])).toEqual([['inherits', 'passed'], ['standalone', 'passed']])
    for (const t of run.tests) {
      expect(t.meta, t.project).toMatchObject({ execArgv: ['--expose-gc', '--single-threaded', '--min-semi-space-size=16', '--max-semi-space-size=16'], restoresFlags: true, forked: true, gcExposed: true, memory: { attributable: true } })
    }
  })

  test('the matchers work from the setup file alone, without the plugin', async () => {
    const run = await runFixture('without-plugin')
    expect(run.tests).toHaveLength(1)
    expect(run.tests[0]).toMatchObject({ state: 'passed', meta: { gcExposedAtStart: false } })
    expect(run.tests[0]!.meta.external).toBeGreaterThanOrEqual(100e6)
    expect(run.tests[0]!.meta.external).toBeLessThan(101e6)
  })

  test('measures and holds budgets with coverage enabled', async () => {
    const run = await runFixture('with-coverage')
    expect(run.tests).toHaveLength(1)
    expect(run.tests[0]).toMatchObject({ state: 'passed', meta: { memory: { attributable: true, violations: [] } } })
    const memory = run.tests[0]!.meta.memory as { external: number }
    expect(memory.external).toBeGreaterThanOrEqual(10e6)
    expect(existsSync(join(fixturePath('with-coverage'), 'coverage/coverage-summary.json'))).toBe(true)
  })
})
