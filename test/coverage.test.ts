// Issue 28: `--coverage` inflates every figure. V8's coverage keeps counters for each function called,
// on the heap the test is measured on; the figures are those of another environment, and say so.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { MemoryReport } from '../src/report/model.js'
import { FUNCTIONS } from './fixtures/coverage-figures/vitest.config.js'
import { type CliRun, runVitestCli } from './helpers/run-cli.js'
import { fixturePath } from './helpers/run-fixture.js'

const root = fixturePath('coverage-figures')
const readReport = () => JSON.parse(readFileSync(join(root, 'reports/memory.json'), 'utf8')) as MemoryReport
const totalOf = (report: MemoryReport) => report.tests[0]!.metrics!.total

let recorded: { run: CliRun, report: MemoryReport }
let covered: { run: CliRun, report: MemoryReport }

beforeAll(() => {
  rmSync(join(root, 'reports'), { recursive: true, force: true })
  // The baseline is recorded without coverage, as `vitest -u` usually is; CI then runs with it.
  const record = runVitestCli(root, ['-u'], { GITHUB_ACTIONS: 'false' })
  recorded = { run: record, report: readReport() }
  const withCoverage = runVitestCli(root, ['--coverage'], { GITHUB_ACTIONS: 'false' })
  covered = { run: withCoverage, report: readReport() }
}, 240_000)

afterAll(() => rmSync(join(root, 'reports'), { recursive: true, force: true }))

test('the environment records coverage: none when off, the provider when on', () => {
  expect(recorded.run.exitCode, recorded.run.stdout + recorded.run.stderr).toBe(0)
  expect(recorded.report.environment.coverage).toBe('none')
  expect(covered.report.environment.coverage).toBe('v8')
  expect(covered.run.stdout).toContain('(coverage: v8, its counters are in the figures)')
  expect(recorded.run.stdout).not.toContain('(coverage:')
})

test('coverage\'s counters are in the figures: a few hundred bytes per function called', () => {
  const perFunction = (totalOf(covered.report) - totalOf(recorded.report)) / FUNCTIONS
  expect(perFunction, `without ${totalOf(recorded.report)} B, with ${totalOf(covered.report)} B`).toBeGreaterThan(50)
  expect(perFunction).toBeLessThan(1000)
})

test('against a baseline recorded without coverage: drift shown, the regression not counted, the run passes', () => {
  expect(covered.run.exitCode, covered.run.stdout + covered.run.stderr).toBe(0)
  expect(covered.run.stdout).toContain('⚠ Compared with figures from another V8 major, other worker flags or other coverage (coverage none → v8)')
  expect(covered.run.stdout).toContain('1 regressed (not counted: another environment)')
  expect(covered.report.summary).toMatchObject({ regressed: 1, environmentDrift: { incomparable: true, regressionsCount: false, differences: [{ field: 'coverage', base: 'none', head: 'v8' }] } })
})
