// Issue 21, item 2: `native` beside heap, external and rss wherever a metric appears downstream of the
// report, and a run or baseline without it (no interposer, or written before it existed) read as
// "not measured", never as a change, a NaN% or 0.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, test } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import { type ComparedMetrics, compareMetrics } from '../../src/compare/compare.js'
import { resolveRegressionRules } from '../../src/compare/rules.js'
import { SIZE_METRICS } from '../../src/measure/metric-names.js'
import { readBaseline, readReport, ReportFileError, serializeBaseline, testKey } from '../../src/report/files.js'
import { buildHistory } from '../../src/report/history.js'
import { buildReport, type CollectedTest, compareReport, type MemoryReport } from '../../src/report/model.js'
import { renderHistoryMarkdown, renderHistoryTerminal } from '../../src/render/history.js'
import { type ReportPage, renderHtmlReport } from '../../src/render/html.js'
import { renderJsonReport } from '../../src/render/json.js'
import { renderMarkdownReport } from '../../src/render/markdown.js'
import { renderTerminalSummary } from '../../src/render/terminal.js'
import { environment, memory } from '../helpers/sample-report.js'

const MB = 1e6
const rules = resolveRegressionRules(undefined)
const dir = mkdtempSync(join(tmpdir(), 'native-report-'))

/** Figures of a test; `native` left out unless given, as in a baseline written before it existed. */
const figures = (total: number, rest: Partial<ComparedMetrics> = {}): ComparedMetrics =>
  ({ total, heap: total / 2, external: total / 2, rss: total, retained: 0, allocated: total, ...rest })

function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = runCli(argv, { stdout: text => (stdout += text), stderr: text => (stderr += text), colors: false })
  return { code, stdout, stderr }
}

/** Writes a report where the CLI reads it. */
function written(name: string, report: MemoryReport): string {
  const path = join(dir, name)
  writeFileSync(path, renderJsonReport(report))
  return path
}

/** The figures `memory(total)` gives a test (test/helpers/sample-report.ts), `native` left out unless given. */
const sampleFigures = (total: number, rest: Partial<ComparedMetrics> = {}): ComparedMetrics =>
  ({ total, heap: total / 4, external: (total * 3) / 4, rss: total / 2, retained: 1_000, allocated: total * 2, ...rest })

/** A run of tests with these peaks, each `native` as given: NaN where the run had no interposer. */
function run(tests: Record<string, { total: number, native: number }>, createdAt = '2026-11-23T12:00:00Z'): MemoryReport {
  const collected: CollectedTest[] = Object.entries(tests).map(([name, { total, native }], i) => ({
    id: name, project: '', file: 'test/a.test.ts', name, line: i + 1, state: 'passed', memory: memory(total, { native }),
  }))
  return buildReport(collected, environment, [], new Date(createdAt))
}

/** The report compared with figures keyed by test name. */
const comparedWith = (report: MemoryReport, base: Record<string, ComparedMetrics>) =>
  compareReport(report, Object.fromEntries(Object.entries(base).map(([name, f]) => [`test/a.test.ts > ${name}`, f])), testKey, rules)

/** Through JSON and back, as the CLI reads a report: NaN becomes null. */
const throughJson = (report: MemoryReport): MemoryReport => JSON.parse(renderJsonReport(report))

const withNative = run({ sqlite: { total: 6 * MB, native: 48.5 * MB }, parse: { total: 40 * MB, native: 2 * MB } })
const withoutNative = run({ sqlite: { total: 6 * MB, native: Number.NaN }, parse: { total: 40 * MB, native: Number.NaN } })

describe('comparing native with a baseline', () => {
  test('a native regression is flagged like any other, and compared by default', () => {
    const changes = compareMetrics(figures(10 * MB, { native: 10 * MB }), figures(10 * MB, { native: 25 * MB }), rules)
    expect(changes).toEqual([{ metric: 'native', base: 10 * MB, head: 25 * MB, delta: 15 * MB, ratio: 1.5, direction: 'regressed' }])
  })

  test('a baseline without native, or a run that did not measure it, is no change: no NaN%, no regression', () => {
    // 48.5 MB of native against nothing, and nothing against 48.5 MB.
    expect(compareMetrics(figures(10 * MB), figures(10 * MB, { native: 48.5 * MB }), rules)).toEqual([])
    expect(compareMetrics(figures(10 * MB, { native: 48.5 * MB }), figures(10 * MB, { native: Number.NaN }), rules)).toEqual([])
    // null, as a baseline file may hold it: null - 0 would read as a new figure, a regression of unknown ratio.
    expect(compareMetrics(figures(10 * MB, { native: null as unknown as number }), figures(10 * MB, { native: 48.5 * MB }), rules)).toEqual([])
    const report = comparedWith(withNative, { sqlite: sampleFigures(6 * MB), parse: sampleFigures(40 * MB) })
    expect(report.summary).toMatchObject({ regressed: 0, improved: 0 })
    expect(report.tests.flatMap(t => t.changes)).toEqual([])
  })

  test('the baseline leaves a native not measured out (a run without the interposer writes what it wrote before), and reads both back', () => {
    const text = serializeBaseline(new Map([['a > measured', figures(1, { native: 5 * MB })], ['a > not', figures(2, { native: Number.NaN })]]))
    const parsed = JSON.parse(text)
    expect(Object.keys(parsed.tests['a > measured'])).toEqual(SIZE_METRICS)
    expect(Object.keys(parsed.tests['a > not'])).toEqual(SIZE_METRICS.filter(m => m !== 'native'))
    const path = join(dir, 'baseline.json')
    writeFileSync(path, text)
    expect(readBaseline(path)!.tests['a > measured']!.native).toBe(5 * MB)
    writeFileSync(path, text.replace('"native": 5000000', '"native": null'))
    expect(readBaseline(path)!.tests['a > measured']!.native).toBeNull()
    writeFileSync(path, text.replace('"native": 5000000', '"native": "5MB"'))
    expect(() => readBaseline(path)).toThrowError(ReportFileError)
    expect(() => readBaseline(path)).toThrowError(/the entry for "a > measured" is not a set of figures \(total, heap, external, rss, native, retained, allocated\)/)
  })
})

describe('the JSON report', () => {
  const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(JSON.parse(readFileSync(new URL('../../schema/memory-report.v1.schema.json', import.meta.url), 'utf8')))

  test('a native not measured is null, a report from before native has none, and the schema and the reader take both', () => {
    const unmeasured = JSON.parse(renderJsonReport(withoutNative))
    expect(unmeasured.tests[0].metrics.native).toBeNull()
    const older = structuredClone(unmeasured)
    for (const test of older.tests) delete test.metrics.native
    for (const [name, report] of [['unmeasured.json', unmeasured], ['older.json', older]] as const) {
      expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
      const path = join(dir, name)
      writeFileSync(path, JSON.stringify(report))
      expect(readReport(path).tests).toHaveLength(2)
    }
    expect(validate({ ...unmeasured, tests: [{ ...unmeasured.tests[0], metrics: { ...unmeasured.tests[0].metrics, native: '48 MB' } }] })).toBe(false)
  })

  test('compare: a base report without native gives no native change, and says so', () => {
    const run = cli('compare', written('base-without.json', withoutNative), written('head-with.json', withNative))
    expect(run).toMatchObject({ code: 0, stderr: '' })
    expect(run.stdout).toContain(' Memory  2 tests measured\n')
    expect(run.stdout).toContain(' native: not measured in the compared figures of 2 tests (recorded before native was, or without it), so not compared.')
    expect(run.stdout).not.toMatch(/NaN|regressed/)
  })
})

describe('the terminal table', () => {
  test('has no native column when no test measured it: a run without the interposer reads as before', () => {
    const text = renderTerminalSummary(withoutNative, { top: 5 })
    expect(text).toContain('\n  total    heap  external    rss  retained  allocated  test\n')
    expect(text).not.toContain('native')
  })

  test('shows native beside the other figures when a test measured it, and a dash where one did not', () => {
    const mixed = run({ sqlite: { total: 6 * MB, native: 48.5 * MB }, browser: { total: 3 * MB, native: Number.NaN } })
    expect(renderTerminalSummary(mixed, { top: 5 }).split('\n').slice(2, 5)).toEqual([
      '  total    heap  external     rss   native  retained  allocated  test',
      '   6 MB  1.5 MB    4.5 MB    3 MB  48.5 MB      1 kB      12 MB  test/a.test.ts > sqlite',
      '   3 MB  750 kB   2.25 MB  1.5 MB        -      1 kB       6 MB  test/a.test.ts > browser',
    ])
  })

  test('marks a native regression in its column and lists it; says which tests had no native to compare', () => {
    const report = comparedWith(withNative, { sqlite: sampleFigures(6 * MB, { native: 20 * MB }), parse: sampleFigures(40 * MB) })
    const text = renderTerminalSummary(report, { top: 5, comparedWith: 'memory-baseline.json' })
    expect(text).toContain('48.5 MB ↑+142.5%')
    expect(text).toContain('Regressed (1) against memory-baseline.json\n  ↑ test/a.test.ts > sqlite: native 20 MB → 48.5 MB (+142.5%)')
    expect(text).toContain(' native: not measured in the compared figures of 1 test (recorded before native was, or without it), so not compared.')
    expect(text).not.toMatch(/NaN/)
  })

  test('says when this run did not measure a native its baseline has', () => {
    const report = comparedWith(withoutNative, { sqlite: sampleFigures(6 * MB, { native: 20 * MB }), parse: sampleFigures(40 * MB, { native: 2 * MB }) })
    expect(report.summary.regressed + report.summary.improved).toBe(0)
    expect(renderTerminalSummary(report, { top: 0 })).toContain(' native: not measured in this run for 2 tests that have it in the compared figures, so not compared.')
  })
})

describe('the Markdown comment', () => {
  test('lists native in the table of every test only when measured', () => {
    expect(renderMarkdownReport(withoutNative)).toContain('| test | total | heap | external | rss | retained | allocated |\n|---|--:|--:|--:|--:|--:|--:|\n')
    const text = renderMarkdownReport(withNative)
    expect(text).toContain('| test | total | heap | external | rss | native | retained | allocated |\n|---|--:|--:|--:|--:|--:|--:|--:|\n')
    expect(text).toContain('| test/a.test.ts &#62; sqlite | 6 MB | 1.5 MB | 4.5 MB | 3 MB | 48.5 MB | 1 kB | 12 MB |')
  })

  test('a native regression is a row like the others; a baseline without native says so instead of a NaN%', () => {
    const report = comparedWith(withNative, { sqlite: sampleFigures(6 * MB, { native: 20 * MB }), parse: sampleFigures(40 * MB) })
    const text = renderMarkdownReport(report)
    expect(text).toContain('| test/a.test.ts &#62; sqlite | native | 20 MB | 48.5 MB | 🔺 +142.5% |')
    expect(text).toContain('\nnative: not measured in the compared figures of 1 test (recorded before native was, or without it), so not compared.\n')
    expect(text).not.toMatch(/NaN/)
  })
})

describe('the HTML page data', () => {
  const page = (report: MemoryReport) => JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(renderHtmlReport(report))![1]!) as ReportPage

  test('carries native as a column only when some test measured it, and each test\'s figures in that order', () => {
    const without = page(withoutNative)
    expect(without.metrics).toEqual(['total', 'heap', 'external', 'rss', 'retained', 'allocated'])
    expect(without.tests[0]!.m).toHaveLength(6 + 2)
    const withIt = page(withNative)
    expect(withIt.metrics).toEqual(SIZE_METRICS)
    expect(withIt.tests.find(t => t.n === 'sqlite')!.m).toEqual([6 * MB, 1.5 * MB, 4.5 * MB, 3 * MB, 48.5 * MB, 1_000, 12 * MB, 1, 12])
  })

  test('a report read back from JSON (native null) draws the same', () => {
    expect(page(throughJson(withoutNative)).metrics).not.toContain('native')
    expect(page(throughJson(withNative)).metrics).toContain('native')
  })

  test('says which figures were not compared', () => {
    expect(page(comparedWith(withNative, { sqlite: sampleFigures(6 * MB), parse: sampleFigures(40 * MB) })).notes).toEqual(['native: not measured in the compared figures of 2 tests (recorded before native was, or without it), so not compared.'])
    expect(page(withNative).notes).toEqual([])
  })
})

describe('history of native', () => {
  const runs = [
    { label: 'before.json', report: throughJson(run({ sqlite: { total: 6 * MB, native: Number.NaN } })) },
    { label: 'one.json', report: throughJson(run({ sqlite: { total: 6 * MB, native: 20 * MB } })) },
    { label: 'two.json', report: throughJson(run({ sqlite: { total: 6 * MB, native: 48.5 * MB }, browser: { total: 1 * MB, native: Number.NaN } })) },
  ]

  test('follows native across the runs that measured it, leaving out a run that measured none', () => {
    const history = buildHistory(runs, 'native')
    expect(history).toMatchObject({ metric: 'native', unmeasuredRuns: ['before.json'], runs: [{ label: 'one.json' }, { label: 'two.json' }] })
    // A test with no native in any run (a browser test) is not in the history of native.
    expect(history.tests).toEqual([{ key: 'test/a.test.ts > sqlite', values: [20 * MB, 48.5 * MB] }])
    expect(buildHistory(runs).runs).toHaveLength(3)
  })

  test('names the figure it follows and the runs it left out', () => {
    const history = buildHistory(runs, 'native')
    const markdown = renderHistoryMarkdown(history, rules.metrics.native!)
    expect(markdown).toContain('**Memory history:** 2 runs, 1 tests, 1 changed (peak native (C heap), oldest run first)')
    expect(markdown).toContain('| test/a.test.ts &#62; sqlite | ▁█ | 20 MB | 48.5 MB | +142.5% |  |')
    expect(markdown).toContain('\nLeft out: 1 run that measured no native: before.json\n')
    expect(renderHistoryTerminal(history, rules.metrics.native!)).toContain('\nLeft out: 1 run that measured no native: before.json\n')
  })

  test('the CLI follows --metric native, and refuses a name it does not know or a figure no run measured', () => {
    const paths = runs.map(({ label, report }) => written(label, report))
    const native = cli('history', ...paths, '--metric', 'native')
    expect(native).toMatchObject({ code: 0, stderr: '' })
    expect(native.stdout).toContain('History of 2 runs (1 more left out: no native measured): 1 tests, 1 changed.\n')
    expect(native.stdout).toContain('  ▁█     20 MB  48.5 MB  +142.5%  test/a.test.ts > sqlite')
    expect(cli('history', ...paths, '--metric', 'nativ')).toMatchObject({ code: 2, stderr: 'vitest-memory-budget: Invalid --metric: "nativ". Expected one of total, heap, external, rss, native, retained, allocated.\n' })
    expect(cli('history', paths[0]!, '--metric', 'native')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^vitest-memory-budget: No test of the report measured native \(it is measured only with the interposer: .*\); there is no history of it to show\.\n$/) })
    expect(cli('history', '--help').stdout).toContain('  --metric <name>         the figure to follow: total, heap, external, rss, native, retained, allocated (default total); runs\n')
    expect(cli('history', paths[0]!, paths[0]!, '--metric', 'native').stderr).toMatch(/^vitest-memory-budget: No test of the 2 reports measured native \(/)
    // A figure compared only on request (rss) still has its rule: --threshold applies to it.
    const rss = cli('history', ...paths.slice(1), '--metric', 'rss', '--threshold', '1%')
    expect(rss).toMatchObject({ code: 0, stderr: '' })
    expect(rss.stdout).toMatch(/^History of 2 runs: 2 tests, 1 changed\.\n/)
    const html = join(dir, 'history.html')
    expect(cli('history', ...paths, '--metric', 'native', '--html', html).code).toBe(0)
    expect(JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(readFileSync(html, 'utf8'))![1]!)).toMatchObject({ kind: 'history', metric: 'native', label: 'native (C heap)', unmeasuredRuns: [paths[0]] })
  })
})
