import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import type { TestMemory } from '../src/index.js'
import type { MemoryReport } from '../src/report/model.js'
import { pageTimeline, type ReportPage } from '../src/render/html.js'
import { runVitestCli, startVitestWatch } from './helpers/run-cli.js'
import { expectConsistentFigures } from './helpers/figures.js'
import { type FixtureRun, type FixtureTest, fixturePath, runFixture } from './helpers/run-fixture.js'

const root = fixturePath('per-test')
const reportPath = join(root, 'reports/memory.json')
const MB = 1e6
const nodeMajor = Number(process.versions.node.split('.')[0])
const isVitest4 = (createRequire(import.meta.url)('vitest/package.json') as { version: string }).version.startsWith('4.')

let run: FixtureRun
let report: MemoryReport
const byName = (name: string): FixtureTest => {
  const found = run.tests.find(t => t.fullName === name)
  if (!found)
    throw new Error(`no test named ${name}`)
  return found
}
const memoryOf = (name: string) => byName(name).meta.memory as TestMemory

beforeAll(async () => {
  rmSync(join(root, 'reports'), { recursive: true, force: true })
  run = await runFixture('per-test')
  report = JSON.parse(readFileSync(reportPath, 'utf8')) as MemoryReport
})

describe('every test is measured', () => {
  test('each test gets its own numbers, whatever earlier tests left behind', () => {
    expect(memoryOf('keeps 20 MB')).toMatchObject({ attributable: true, baselineGc: 'full' })
    expect(memoryOf('keeps 20 MB').external).toBeGreaterThanOrEqual(20 * MB)
    expect(memoryOf('keeps 20 MB').external).toBeLessThan(20.2 * MB)
    // Within 1% (Node 20: 512 KiB, as its V8 counts the old generation in whole free blocks, which
    // moved this reading from 19.97 to 19.78 MB when the meter's code changed).
    expect(memoryOf('keeps 20 MB').retained).toBeGreaterThan(20 * MB - (nodeMajor < 22 ? 512 * 1024 : 0.2 * MB))
    // And no more than the buffer: the heap that earlier tests and the runner hold is not the test's.
    expect(memoryOf('keeps 20 MB').retained).toBeLessThan(20.2 * MB)

    const dropped = memoryOf('builds and drops 40 MB of objects')
    expect(dropped.heap).toBeGreaterThan(30 * MB)
    // Built and dropped: a full GC at the end frees what it promoted. On Node 20 the full GC also
    // freed 0.35 MB of what the runner kept alive across the boundary before it, and the figure
    // is then the bound the older garbage leaves, marked `young` (0.39 and 0.52 MB in clean-clone
    // runs), not the 40 MB the young GC's reading holds.
    expect(dropped.retained).toBeLessThan(1 * MB)

    // 60 MB of buffers and objects were allocated by the tests before it; none of it counts here.
    const light = memoryOf('allocates almost nothing after heavy tests')
    expect(light.total).toBeLessThan(0.5 * MB)
    expect(light.retained).toBeLessThan(0.5 * MB)

    // Vitest's progress message (sent through a Buffer of a few kB) goes out after the test, not inside it.
    expect(memoryOf('waits 250 ms, allocating next to nothing').external).toBe(0)
  })

  test('each test carries its memory across its GCs, capped, its peak on it, in the record and the JSON report', () => {
    const dropped = memoryOf('builds and drops 40 MB of objects')
    const { timeline } = dropped
    expect(dropped.gcCount).toBeGreaterThan(0)
    expect(timeline.length).toBeLessThanOrEqual(64)
    expect(timeline[0]).toEqual([0, 0, 0])
    expect(timeline.at(-1)![0]).toBe(dropped.gcCount + 1)
    // The peak of heap + external at one instant is the test's total, and it is on the timeline
    // (each part counted from the baseline, never below it).
    expect(Math.max(...timeline.map(([, heap, external]) => Math.max(0, heap) + Math.max(0, external)))).toBe(dropped.total)
    // GC ordinals only go forward, so the chart's line runs left to right.
    expect(timeline.every(([gc], i) => i === 0 || gc >= timeline[i - 1]![0])).toBe(true)

    const kept = memoryOf('keeps 20 MB').timeline
    expect(Math.max(...kept.map(([, , external]) => external))).toBe(memoryOf('keeps 20 MB').external)
    expect(report.tests.find(t => t.name === 'keeps 20 MB')!.timeline).toEqual(kept)
    expect(report.tests.find(t => t.name === 'is skipped')).toBeUndefined()
  })

  test('no figure of a record contradicts another', () => {
    const records = run.tests.filter(t => (t.meta.memory as TestMemory | undefined)?.attributable)
    expect(records.length).toBeGreaterThan(5)
    for (const t of records)
      expectConsistentFigures(t.meta.memory as TestMemory, t.fullName)
  })

  test('the html option writes the same report as a page, next to the JSON report', () => {
    const html = readFileSync(join(root, 'reports/memory.html'), 'utf8')
    const data = JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(html)![1]!) as ReportPage
    expect(data.summary).toEqual(report.summary)
    expect(data.tests.map(t => t.n)).toEqual(report.tests.map(t => t.name))
    expect(data.tests.map(t => t.t)).toEqual(report.tests.map(t => t.timeline && pageTimeline(t.timeline)))
  })

  test('failed tests are recorded; skipped and todo tests are not', () => {
    expect(byName('throws after allocating 10 MB').state).toBe('failed')
    expect(memoryOf('throws after allocating 10 MB').external).toBeGreaterThanOrEqual(10 * MB)
    expect(memoryOf('throws after allocating 10 MB').external).toBeLessThan(10.1 * MB)
    // Lower by what the closing full GC freed of garbage older than the test (half a MB here).
    expect(memoryOf('throws after allocating 10 MB').retained).toBeGreaterThan(9 * MB)
    expect(memoryOf('throws after allocating 10 MB').retained).toBeLessThan(10.2 * MB)
    expect(byName('is skipped').meta.memory).toBeUndefined()
    expect(byName('is todo').meta.memory).toBeUndefined()
  })

  test('a retried test carries the numbers of its last attempt, and says which', () => {
    expect(byName('passes on its second attempt').state).toBe('passed')
    expect(memoryOf('passes on its second attempt')).toMatchObject({ retry: 1, repeat: 0 })
    // Each attempt keeps 5 MB: the first attempt's sits in the last one's baseline, so 5 MB, not 10.
    expect(memoryOf('passes on its second attempt').external).toBeGreaterThanOrEqual(5 * MB)
    expect(memoryOf('passes on its second attempt').external).toBeLessThan(5.1 * MB)
    // Less by what the closing full GC frees of garbage older than the attempt: the runner's garbage
    // it may start on without a GC of its own (256 KiB, RUNNER_ALLOWANCE in the recorder), and what
    // the retry's bookkeeping left in the old generation (measured: 259 kB in all, under load). The
    // numbers of the wrong attempt would read 10 MB, or none.
    expect(memoryOf('passes on its second attempt').retained).toBeGreaterThan(5 * MB - 512 * 1024)
    // More under load by what the runner left alive at the attempt's end (0.21 MB seen on 2 cores
    // at a load of 4; the tests below read as much).
    expect(memoryOf('passes on its second attempt').retained).toBeLessThan(5.5 * MB)
  })

  test('tests running concurrently in one worker are marked, not given wrong numbers', () => {
    for (const name of ['three at once > first', 'three at once > second', 'three at once > third'])
      expect(byName(name).meta.memory).toEqual({ attributable: false, reason: 'concurrent', retry: 0, repeat: 0, budget: { limits: { total: { bytes: 400e6, family: 'si', pattern: '**' } }, patterns: ['**'] } })
  })

  test.each(['auto', 'always'])('objects an earlier test built and another dropped do not change a later test\'s numbers (gcBeforeEachTest: %s)', async (mode) => {
    process.env.FIXTURE_GC = mode
    try {
      const name = 'holds 60 MB of objects at once'
      const inSuite = (await runFixture('per-test', { testNamePattern: '^(builds|drops|holds)' })).tests.find(t => t.fullName === name)!.meta.memory as TestMemory
      const alone = (await runFixture('per-test', { testNamePattern: '^holds' })).tests.find(t => t.fullName === name)!.meta.memory as TestMemory
      // Allocation does not depend on what came before: it is the test's own, to the byte nearly.
      expect(inSuite.allocated / alone.allocated).toBeCloseTo(1, 1)
      // The peak includes garbage not yet collected, so V8's heap sizing (which earlier tests move)
      // shifts it a little; 40 MB of old garbage freed inside the test would take 40 MB off it.
      expect(inSuite.heap).toBeGreaterThan(0.9 * alone.heap)
      expect(inSuite.heap).toBeLessThan(1.1 * alone.heap)
    }
    finally {
      delete process.env.FIXTURE_GC
    }
  })
})

describe('budgets in config', () => {
  test('a test over its budget fails with the limits it broke and the pattern that set them', () => {
    const over = byName('over the budget')
    expect(over.state).toBe('failed')
    expect(over.errors).toHaveLength(1)
    expect(over.errors[0]).toMatch(/^Memory budget exceeded: peak memory \(heap \+ external\) 20\.\d+ MB is over the 10 MB budget of "budgets\.test\.ts > over \*"; retained memory (19|20)(\.\d+)? MB is over the 1 MB budget of "budgets\.test\.ts > over \*"\.$/m)
    expect(over.errors[0]).toMatch(/^ {2}> total +20\.\d+ MB/m)
    expect(over.errors[0]).toMatch(/^ {2}> retained +(19|20)(\.\d+)? MB/m)
    expect(byName('under the catch-all budget').state).toBe('passed')
    expect(run.exitCode).toBe(1)
  })

  test('the JSON report has every test, its budget and verdict, and the unmatched pattern', () => {
    expect(report.schemaVersion).toBe(1)
    expect(report.environment).toMatchObject({ node: process.version, deterministic: true, workerFlags: ['--expose-gc', '--single-threaded', '--min-semi-space-size=16', '--max-semi-space-size=16'] })
    expect(report.summary).toMatchObject({ overBudget: 1, notAttributable: 3, unmatchedPatterns: ['typo/**'] })
    const over = report.tests.find(t => t.name === 'over the budget')!
    expect(over).toMatchObject({ file: 'budgets.test.ts', line: 5, state: 'failed', verdict: 'over-budget', budget: { total: { bytes: 10 * MB, pattern: 'budgets.test.ts > over *' } } })
    expect(report.tests.find(t => t.name === 'keeps 20 MB')).toMatchObject({ verdict: 'within-budget', budget: { total: { bytes: 400 * MB, pattern: '**' } } })
    expect(report.tests.some(t => t.name === 'is skipped')).toBe(false)
    expect(existsSync(reportPath)).toBe(true)
  })
})

describe('the terminal report', () => {
  const vitestJson = join(root, 'reports/vitest.json')
  test.each([
    ['default', []],
    ['dot', ['--reporter=dot']],
    ['verbose reporter alongside the json', ['--reporter=verbose', '--reporter=json', '--outputFile.json=reports/vitest.json']],
  ])('prints after the %s reporter, and the run fails on the budget', (_, args) => {
    rmSync(vitestJson, { force: true })
    const cli = runVitestCli(root, ['budgets.test.ts', ...args])
    // The user's own JSON reporter output is intact.
    if (args.includes('--reporter=json'))
      expect(JSON.parse(readFileSync(vitestJson, 'utf8')).numFailedTests).toBe(1)
    expect(cli.exitCode).toBe(1)
    expect(cli.stdout).toContain(' Memory  2 tests measured · 1 over budget')
    // native where the C heap's interposer runs (Linux x64 with glibc), and only there.
    const native = process.platform === 'linux' && process.arch === 'x64' ? ' +native' : ''
    expect(cli.stdout).toMatch(new RegExp(`^ +total +heap +external +rss${native} +retained +allocated +test$`, 'm'))
    expect(cli.stdout).toMatch(/✗ budgets\.test\.ts > over the budget: total 20\.\d+ MB > 10 MB \("budgets\.test\.ts > over \*"\)/)
    expect(cli.stdout).toContain('Budget pattern that matched no test: "typo/**"')
    // No colour codes when NO_COLOR is set.
    expect(cli.stdout).not.toContain('\u001B[')
  })

  // Vitest's json and junit reporters write their report to stdout (Vitest 4: when given no output
  // file; Vitest 5: when given stdout: true): a pipe into a parser must get that report alone.
  test.each([
    ['json', (stdout: string) => expect((JSON.parse(stdout) as { numFailedTests: number }).numFailedTests).toBe(1)],
    ['junit', (stdout: string) => expect(stdout.trim()).toMatch(/^<\?xml [^\n]*\?>\n<testsuites [^]*<\/testsuites>$/)],
  ])('--reporter=%s to stdout: stdout holds its report alone, the memory summary goes to stderr', (reporter, parse) => {
    const cli = isVitest4 ? runVitestCli(root, ['budgets.test.ts', `--reporter=${reporter}`]) : runVitestCli(root, ['budgets.test.ts'], { FIXTURE_STDOUT_REPORTER: reporter })
    expect(cli.exitCode).toBe(1)
    parse(cli.stdout)
    expect(cli.stdout).not.toMatch(/^ (Memory|No memory baseline)/m)
    expect(cli.stderr).toContain(' Memory  2 tests measured · 1 over budget')
    expect(cli.stderr).toContain('No memory baseline at memory-baseline.json yet')
    expect(cli.stderr).toContain('Memory report written to reports/memory.json')
  })

  test('reports again on every rerun in watch mode', async () => {
    const watcher = startVitestWatch(root, ['budgets.test.ts', '--reporter=dot'])
    try {
      await watcher.waitFor(text => text.match(/ Memory {2}2 tests measured/g)?.length === 1)
      // Touch the file, as saving it in an editor would.
      const file = join(root, 'budgets.test.ts')
      writeFileSync(file, readFileSync(file, 'utf8'))
      await watcher.waitFor(text => text.match(/ Memory {2}2 tests measured/g)?.length === 2)
    }
    finally {
      watcher.stop()
    }
  })
})

describe('tiny tests', () => {
  test('pay for a collection only once the heap has grown by 256 KiB, and say so', async () => {
    const tiny = await runFixture('tiny-tests')
    const records = tiny.tests.map(t => t.meta.memory as TestMemory)
    expect(records).toHaveLength(50)
    const skipped = records.filter(r => r.retainedGc === 'none')
    // The runner's bookkeeping is some kB a test: most tests start and end without a collection.
    expect(skipped.length).toBeGreaterThanOrEqual(40)
    for (const [i, record] of records.entries())
      expectConsistentFigures(record, tiny.tests[i]!.fullName)
    // With none, retained is the growth since the last collection: garbage included, under 256 KiB.
    for (const record of skipped) {
      expect(record.retained).toBeGreaterThan(0)
      expect(record.retained).toBeLessThan(256 * 1024)
      // Read at the test's end, not after the window's own closing work: never more than its peak.
      expect(record.retained).toBeLessThanOrEqual(record.total)
    }
  })
})

describe('garbage older than a test', () => {
  // Node 20's V8 counts the old generation in whole free blocks, so a reading after a full GC moves
  // by up to about 250 kB (README, Numbers that don't flicker); Node 24's within some kB.
  const tolerance = nodeMajor < 22 ? 512 * 1024 : 128 * 1024
  const near = (record: TestMemory, bytes: number) => {
    expect(record.retained, JSON.stringify(record)).toBeGreaterThan(bytes - tolerance)
    expect(record.retained, JSON.stringify(record)).toBeLessThan(bytes + tolerance)
  }

  test.each(['auto', 'always'])('does not come off what a test kept (gcBeforeEachTest: %s)', async (mode) => {
    process.env.FIXTURE_GC = mode
    try {
      const run = await runFixture('older-garbage')
      const memory = (file: string, name: string) => run.tests.find(t => t.file === file && t.fullName === name)!.meta.memory as TestMemory
      // An earlier test built a 3 MB fixture and the next dropped it; the bug read 5.7 MB (Node 20)
      // or 6.4 MB (Node 24), marked exact.
      near(memory('dropped-fixture.test.ts', 'keeps a 10,000,000 B Buffer'), 10_000_000)
      // After a failed test's garbage (an error, its stack, Vitest's report of it); the bug read 3.50 MB on Node 20.
      near(memory('after-error.test.ts', 'keeps a 4,000,000 B Buffer'), 4_000_000)
      // Held to a `retained` budget: full GCs at both ends, so exact, and the 8 MB budget fails.
      const budgeted = memory('dropped-fixture.test.ts', 'keeps a 10,000,000 B Buffer, held to 8 MB retained')
      expect(budgeted.retainedGc).toBe('full')
      near(budgeted, 10_000_000)
      expect(budgeted.violations.map(v => v.metric)).toEqual(['retained'])
      // Built and dropped after older garbage: exact, not the reading after a young GC, which still
      // holds the 40 MB it promoted.
      const dropped = memory('dropped-fixture.test.ts', 'builds and drops 40 MB of objects, held to 1 MB retained')
      expect(dropped.retainedGc).toBe('full')
      expect(dropped.retained).toBeLessThan(tolerance)
      expect(dropped.violations).toEqual([])
      for (const t of run.tests)
        expectConsistentFigures(t.meta.memory as TestMemory, t.fullName)
    }
    finally {
      delete process.env.FIXTURE_GC
    }
  })
})

describe('isolate: false', () => {
  // Each file keeps 5 MB in its module; once the next file starts in the same worker, they are
  // garbage, which a collection at a later test's end would free and take off that test's figure.
  test('a file\'s tests keep what they keep, whatever the file before kept', async () => {
    const run = await runFixture('isolate-false-kept')
    const records = run.tests.map(t => t.meta.memory as TestMemory)
    expect(run.tests.map(t => t.state)).toEqual(['passed', 'passed', 'passed'])
    // The bug this guards read 0 B. Under load, up to 0.21 MB more (2 cores at a load of 4): what
    // the runner left alive at the test's end.
    for (const record of records) {
      expect(record.retained).toBeGreaterThan(4.5 * MB)
      expect(record.retained).toBeLessThan(5.5 * MB)
    }
  })
})

describe('a test after a matcher call', () => {
  // Before Node 24 an AsyncLocalStorage, once entered, makes every later promise allocate more: the
  // matchers must not enter one there, or a test's figure would depend on the tests before it.
  test('reads what it read before the matcher ran', async () => {
    const run = await runFixture('async-after-matcher')
    const total = (name: string) => (run.tests.find(t => t.fullName === name)!.meta.memory as TestMemory).total
    const before = total('awaits 20,000 promises')
    const after = total('awaits 20,000 promises again')
    expect(run.tests.map(t => t.state)).toEqual(['passed', 'passed', 'passed'])
    // Node 20's V8 counts the old generation in whole free blocks, so the same test reads up to about
    // 250 kB apart after different histories (README, Numbers that don't flicker); the bug read 1.8x.
    const tolerance = Number(process.versions.node.split('.')[0]) < 22 ? 0.15 : 0.05
    expect(after / before, `before ${before} B, after ${after} B`).toBeGreaterThan(1 - tolerance)
    expect(after / before, `before ${before} B, after ${after} B`).toBeLessThan(1 + tolerance)
  })
})
