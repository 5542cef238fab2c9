import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { MemoryReport } from '../src/report/model.js'
import { runVitestCli } from './helpers/run-cli.js'
import { fixturePath } from './helpers/run-fixture.js'

const root = fixturePath('baseline')
const baselinePath = join(root, 'memory-baseline.json')
const readBaselineFile = () => JSON.parse(readFileSync(baselinePath, 'utf8')) as { tests: Record<string, { total: number }> }
const readRunReport = () => JSON.parse(readFileSync(join(root, 'reports/memory.json'), 'utf8')) as MemoryReport
const run = (args: string[] = [], env: Record<string, string> = {}) => runVitestCli(root, args, { GITHUB_ACTIONS: 'false', ...env })

const KEYS = [
  'other.test.ts > allocates 8 MB per unit of scale',
  'sized.test.ts > allocates 10 MB per unit of scale',
  'sized.test.ts > allocates 5 MB whatever the scale',
]

beforeAll(() => {
  rmSync(baselinePath, { force: true })
  rmSync(join(root, 'reports'), { recursive: true, force: true })
})

// One story, in order: each test starts from the baseline file and reports the tests before it left
// (the first run writes none, -u writes it, later runs compare with it). Under -t a later test alone
// fails loudly on the missing or different baseline; run the file whole.
describe('the baseline', () => {
  test('a first run without a baseline is not an error, and writes none', () => {
    const first = run()
    expect(first.exitCode).toBe(0)
    expect(first.stdout).toContain('No memory baseline at memory-baseline.json yet: run vitest with -u to record one.')
    expect(existsSync(baselinePath)).toBe(false)
  })

  test('vitest -u writes it: sorted keys, one figure per line', () => {
    const update = run(['-u'])
    expect(update.exitCode).toBe(0)
    expect(update.stdout).toContain('Memory baseline written to memory-baseline.json (3 tests)')
    const baseline = readBaselineFile()
    expect(Object.keys(baseline.tests)).toEqual(KEYS)
    expect(baseline.tests[KEYS[1]!]!.total).toBeGreaterThanOrEqual(10e6)
    expect(readFileSync(baselinePath, 'utf8')).toMatch(/^ {6}"total": \d+,$/m)
    // Where the figures were measured, so a run on another V8 major or with other flags can say so.
    expect(JSON.parse(readFileSync(baselinePath, 'utf8')).environment).toMatchObject({ node: process.version, v8: process.versions.v8, platform: process.platform, arch: process.arch })
  })

  test('unchanged code is flagged nowhere, run after run', () => {
    for (let i = 0; i < 3; i++) {
      const again = run()
      expect(again.exitCode).toBe(0)
      expect(readRunReport().summary).toMatchObject({ compared: true, regressed: 0, improved: 0 })
    }
  })

  test('a regression is reported with its change; with failOnRegression it fails the run', () => {
    const grown = run([], { FIXTURE_SCALE: '2' })
    expect(grown.exitCode).toBe(0)
    expect(grown.stdout).toMatch(/Regressed \(2\) against memory-baseline\.json/)
    expect(grown.stdout).toMatch(/↑ sized\.test\.ts > allocates 10 MB per unit of scale: total 10\.\d+ MB → 20(\.\d+)? MB \(\+\d+\.\d%\)/)
    expect(grown.stdout).toMatch(/20(\.\d+)? MB ↑\+\d+\.\d% .* sized\.test\.ts > allocates 10 MB per unit of scale/)
    expect(readRunReport().summary).toMatchObject({ regressed: 2, improved: 0 })
    const comment = readFileSync(join(root, 'reports/comment.md'), 'utf8')
    expect(comment.split('\n')[0]).toBe('<!-- vitest-memory-budget -->')
    expect(comment).toContain('**Memory:** 3 tests measured · 0 over budget · 2 regressed · 0 improved')
    expect(run([], { FIXTURE_SCALE: '2', FIXTURE_FAIL_ON_REGRESSION: 'true' }).exitCode).toBe(1)
    // The baseline is only ever written on -u.
    expect(readBaselineFile().tests[KEYS[1]!]!.total).toBeLessThan(11e6)
  })

  test('on GitHub Actions: annotations at file and line, and the Markdown in the step summary', () => {
    const summary = join(mkdtempSync(join(tmpdir(), 'summary-')), 'step-summary.md')
    writeFileSync(summary, '# earlier step\n')
    const grown = run([], { FIXTURE_SCALE: '2', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary })
    // Issue 26, item 12: placed by its path in the repository, not where Vitest ran in it.
    const inRepository = relative(execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, encoding: 'utf8' }).trim(), join(root, 'sized.test.ts')).split(sep).join('/')
    expect(inRepository).toMatch(/\/sized\.test\.ts$/)
    expect(grown.stdout).toContain(`::warning file=${inRepository},line=6,title=Memory regression::`)
    expect(grown.stdout).toMatch(/^::warning file=[^,]*sized\.test\.ts,line=6,title=Memory regression::allocates 10 MB per unit of scale: total 10\.\d+ MB -> 20(\.\d+)? MB \(\+\d+\.\d%25\)/m)
    const written = readFileSync(summary, 'utf8')
    // Appended, after what earlier steps (and Vitest's own reporter) wrote.
    expect(written.startsWith('# earlier step\n')).toBe(true)
    expect(written).toContain('<!-- vitest-memory-budget -->\n\n**Memory:** 3 tests measured · 0 over budget · 2 regressed')
  })

  test('-u on a subset updates those tests and keeps the rest; only a full run prunes', () => {
    const before = readBaselineFile()
    const withGhost = { ...before, tests: { ...before.tests, 'deleted.test.ts > is gone': before.tests[KEYS[0]!]! } }
    writeFileSync(baselinePath, JSON.stringify(withGhost, null, 2))

    // -u takes an optional value in Vitest: the filter goes before it.
    expect(run(['other.test.ts', '-u'], { FIXTURE_SCALE: '2' }).exitCode).toBe(0)
    const subset = readBaselineFile()
    expect(subset.tests[KEYS[0]!]!.total).toBeGreaterThanOrEqual(16e6)
    expect(subset.tests[KEYS[1]!]).toEqual(before.tests[KEYS[1]!])
    expect(subset.tests['deleted.test.ts > is gone']).toBeDefined()

    expect(run(['-t', 'allocates 5 MB', '-u']).exitCode).toBe(0)
    expect(readBaselineFile().tests['deleted.test.ts > is gone']).toBeDefined()

    expect(run(['-u']).exitCode).toBe(0)
    expect(Object.keys(readBaselineFile().tests)).toEqual(KEYS)
  })

  // Issue 26, items 4, 8 and 15.
  test('a filter after -u is -u\'s value: every test runs and is written, and the run says what -u took', () => {
    const swallowed = run(['-u', 'other.test.ts'], { FIXTURE_SCALE: '2' })
    expect(swallowed.exitCode).toBe(0)
    expect(swallowed.stdout).toContain('-u read "other.test.ts" as its value, not as a file filter: Vitest did not filter on it, and updated as -u=all. Put filters before -u: vitest run other.test.ts -u')
    expect(swallowed.stdout).toContain('Memory baseline written to memory-baseline.json (3 tests)')
    // The changes are against the baseline the run replaced, and say so.
    expect(swallowed.stdout).toMatch(/Regressed \(2\) against memory-baseline\.json as it was before this update/)
    expect(readBaselineFile().tests[KEYS[1]!]!.total).toBeGreaterThanOrEqual(20e6)
  })

  test('UPDATE_MEMORY_BASELINE records the memory baseline without -u, which would rewrite snapshots too', () => {
    const alone = run([], { UPDATE_MEMORY_BASELINE: '1' })
    expect(alone.exitCode).toBe(0)
    expect(alone.stdout).toContain('Memory baseline written to memory-baseline.json (3 tests)')
    expect(readBaselineFile().tests[KEYS[1]!]!.total).toBeLessThan(11e6)
    // And the other way: -u for the snapshots alone.
    const snapshotsOnly = run(['-u'], { FIXTURE_SCALE: '2', UPDATE_MEMORY_BASELINE: 'none' })
    expect(snapshotsOnly.exitCode).toBe(0)
    expect(snapshotsOnly.stdout).not.toContain('Memory baseline written')
    expect(readBaselineFile().tests[KEYS[1]!]!.total).toBeLessThan(11e6)
    const unknown = run([], { UPDATE_MEMORY_BASELINE: 'yes' })
    expect(unknown.exitCode).toBe(1)
    expect(unknown.stderr).toContain('UPDATE_MEMORY_BASELINE="yes" is not a value it takes: all (or 1, true), new, or none (or 0, false). The memory baseline was not written.')
    // Three runs of a few seconds each; a loaded 2-core machine took over a minute for them.
  }, 240_000)

  test('a corrupt or foreign baseline is a clear error and is left as it is, except by -u', () => {
    writeFileSync(baselinePath, '{ "this is": "not a baseline" }')
    const broken = run()
    expect(broken.exitCode).toBe(1)
    expect(broken.stderr + broken.stdout).toContain('memory-baseline.json: not a vitest-memory-budget baseline (expected "kind": "vitest-memory-budget baseline"); it is left as it is, run with -u to replace it.')
    expect(readFileSync(baselinePath, 'utf8')).toBe('{ "this is": "not a baseline" }')
    expect(run(['-u']).exitCode).toBe(0)
    expect(Object.keys(readBaselineFile().tests)).toEqual(KEYS)
  })
})
