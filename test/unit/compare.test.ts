import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { type ComparedMetrics, compareMetrics, comparedMetrics } from '../../src/compare/compare.js'
import { parseThreshold, REGRESSION_METRICS, resolveRegressionRules } from '../../src/compare/rules.js'
import { readBaseline, readReport, ReportFileError, serializeBaseline, testKey, updateBaseline } from '../../src/report/files.js'
import { compareReport } from '../../src/report/model.js'
import { sampleReport } from '../helpers/sample-report.js'

const MB = 1e6
const figures = (total: number, rest: Partial<ComparedMetrics> = {}): ComparedMetrics =>
  ({ total, heap: total / 2, external: total / 2, rss: total, retained: 0, allocated: total, ...rest })

describe('the regression rule', () => {
  const rules = resolveRegressionRules(undefined)

  test('flags a change over both 10% and 1 MB, up as regressed and down as improved', () => {
    // heap and external each grow by 15% too, but by 0.75 MB only.
    expect(compareMetrics(figures(10 * MB), figures(11.5 * MB), rules).map(c => [c.metric, c.direction, c.ratio])).toEqual([
      ['total', 'regressed', 0.15],
      ['allocated', 'regressed', 0.15],
    ])
    expect(compareMetrics(figures(10 * MB), figures(8 * MB), rules).every(c => c.direction === 'improved')).toBe(true)
  })

  test('ignores changes under either bound, and RSS unless asked', () => {
    // +10% exactly is not over 10%; +50% of 1.5 MB is 0.75 MB, under 1 MB.
    expect(compareMetrics(figures(10 * MB), figures(11 * MB), rules)).toEqual([])
    expect(compareMetrics(figures(1.5 * MB), figures(2.25 * MB), rules)).toEqual([])
    expect(compareMetrics(figures(10 * MB), figures(10 * MB, { rss: 50 * MB }), rules)).toEqual([])
  })

  test('is configurable globally and per metric', () => {
    const strict = resolveRegressionRules({ threshold: '1%', minDelta: 0, metrics: { heap: false, rss: { threshold: 0.5 } } })
    const changes = compareMetrics(figures(10 * MB), figures(10.2 * MB, { rss: 30 * MB }), strict)
    expect(changes.map(c => c.metric)).toEqual(['total', 'external', 'rss', 'allocated'])
  })

  test('a metric that was 0 and grew is a regression of unknown ratio', () => {
    const [change] = compareMetrics(figures(10 * MB, { retained: 0 }), figures(10 * MB, { retained: 5 * MB }), rules)
    expect(change).toMatchObject({ metric: 'retained', direction: 'regressed', ratio: Infinity })
  })

  test('the compared figures are whole bytes, in the order of REGRESSION_METRICS (the order of the files)', () => {
    const figures = comparedMetrics({ ...sampleReport.tests[0]!.metrics!, heap: 1.6 })
    expect(Object.keys(figures)).toEqual(REGRESSION_METRICS)
    expect(figures.heap).toBe(2)
  })

  test('unchanged numbers give no flag, whatever their size', () => {
    for (const total of [0, 1, 1e3, 1e6, 1e9]) expect(compareMetrics(figures(total), figures(total), rules)).toEqual([])
  })
})

describe('the regression rule at its edges', () => {
  const rules = resolveRegressionRules(undefined)

  test('a change of exactly the threshold is not over it; one byte more is', () => {
    // 2 MB on 20 MB is exactly 10% (both exact in binary floating point), over the 1 MB minimum.
    expect(compareMetrics(figures(20 * MB), figures(22 * MB), rules).filter(c => c.metric === 'total')).toEqual([])
    expect(compareMetrics(figures(20 * MB), figures(22 * MB + 1), rules).filter(c => c.metric === 'total')).toHaveLength(1)
  })

  test('a threshold is a fraction of 0 or more, or a percentage with decimals', () => {
    expect(parseThreshold(0, 'threshold')).toBe(0)
    expect(parseThreshold('25%', 'threshold')).toBe(0.25)
    expect(parseThreshold(' 12.25 % ', 'threshold')).toBe(0.1225)
    for (const bad of [-0.1, Number.POSITIVE_INFINITY, ['10%'], '12.%', '10'])
      expect(() => parseThreshold(bad, 'regression.threshold'), JSON.stringify(bad)).toThrow(/^Invalid regression\.threshold: .*Expected a fraction like 0\.1 or a percentage like '10%'\.$/)
  })

  test('a percentage threshold still counts the changes over it', () => {
    const byPercent = resolveRegressionRules({ threshold: '25%' })
    expect(compareMetrics(figures(20 * MB), figures(30 * MB), byPercent).map(c => c.metric)).toContain('total')
  })

  test('a metric set to true takes the global rule; the two flags are false when left out', () => {
    const withRss = resolveRegressionRules({ threshold: 0.3, metrics: { rss: true } })
    expect(withRss.metrics.rss).toEqual({ threshold: 0.3, minDelta: 1_000_000 })
    expect(resolveRegressionRules({})).toMatchObject({ failOnRegression: false, acrossEnvironments: false })
  })
})

describe('the baseline file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-'))

  test('is written with sorted keys and fixed metric order, one figure per line', () => {
    const text = serializeBaseline(new Map([['b.test.ts > z', figures(2)], ['a.test.ts > y', figures(1)]]))
    const parsed = JSON.parse(text)
    expect(Object.keys(parsed.tests)).toEqual(['a.test.ts > y', 'b.test.ts > z'])
    expect(Object.keys(parsed.tests['a.test.ts > y'])).toEqual(['total', 'heap', 'external', 'rss', 'retained', 'allocated'])
    expect(text).toContain('\n      "total": 1,\n')
    expect(text.endsWith('}\n')).toBe(true)
    const path = join(dir, 'ok.json')
    writeFileSync(path, text)
    expect(readBaseline(path)!.tests['b.test.ts > z']).toEqual(figures(2))
  })

  test('missing is not an error: a first run', () => {
    expect(readBaseline(join(dir, 'none.json'))).toBeUndefined()
  })

  test.each([
    ['{ not json', /not valid JSON, so not a baseline/],
    ['[]', /not a vitest-memory-budget baseline \(expected "kind": "vitest-memory-budget baseline"\); it is left as it is, run with -u to replace it\.$/],
    ['{"kind":"vitest-memory-budget baseline","schemaVersion":9,"tests":{}}', /baseline schema version 9 is not the one this version of vitest-memory-budget reads \(1\); upgrade the package\.$/],
    ['{"kind":"vitest-memory-budget baseline","schemaVersion":1,"tests":{"a > b":{"total":"big"}}}', /the entry for "a > b" is not a set of figures/],
  ])('a corrupt or foreign file is a one-line error naming it: %s', (content, message) => {
    const path = join(dir, 'bad.json')
    writeFileSync(path, content)
    expect(() => readBaseline(path)).toThrowError(ReportFileError)
    expect(() => readBaseline(path)).toThrowError(message)
    expect(() => readBaseline(path)).toThrowError(path)
  })

  test('a subset run updates its tests and keeps the rest; only a full run prunes', () => {
    const previous = { kind: 'vitest-memory-budget baseline' as const, schemaVersion: 1 as const, tests: { 'a > old': figures(1), 'a > kept': figures(2), 'b > gone': figures(3) } }
    const measured = new Map([['a > kept', figures(5)], ['a > new', figures(6)]])
    const present = new Set(['a > kept', 'a > new', 'a > old'])
    expect(Object.fromEntries(updateBaseline(previous, { measured, present, fullRun: false, mode: 'all' }))).toEqual({ 'a > old': figures(1), 'a > kept': figures(5), 'b > gone': figures(3), 'a > new': figures(6) })
    expect(Object.fromEntries(updateBaseline(previous, { measured, present, fullRun: true, mode: 'all' }))).toEqual({ 'a > old': figures(1), 'a > kept': figures(5), 'a > new': figures(6) })
    expect(Object.fromEntries(updateBaseline(previous, { measured, present, fullRun: false, mode: 'new' }))).toEqual({ ...previous.tests, 'a > new': figures(6) })
  })

  test('keys are readable and name the project when there is one', () => {
    expect(testKey({ project: '', file: 'test/a.test.ts', name: 'suite > test' })).toBe('test/a.test.ts > suite > test')
    expect(testKey({ project: 'node', file: 'test/a.test.ts', name: 'x' })).toBe('[node] test/a.test.ts > x')
  })
})

describe('reading reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-'))

  test.each([
    ['missing.json', undefined, /missing\.json: no such file\.$/],
    ['garbage.json', 'garbage', /not valid JSON/],
    ['foreign.json', '{"numTotalTests": 3}', /not a vitest-memory-budget report \(it has no schemaVersion\)/],
    ['future.json', '{"schemaVersion": 2, "tests": []}', /report schema version 2 is not the one this version of vitest-memory-budget reads \(1\); upgrade the package/],
    ['partial.json', '{"schemaVersion": 1}', /lacks tests, summary or environment/],
    // Issue 26, item 21: the file next to the report that users give by mistake.
    ['memory-baseline.json', serializeBaseline(new Map()), /memory-baseline\.json: a memory baseline, not a JSON report: give the report that memoryBudget\(\{ outputFile \}\) writes \(e\.g\. reports\/memory\.json\)\.$/],
  ])('%s is a clear one-line error', (name, content, message) => {
    const path = join(dir, name)
    if (content !== undefined)
      writeFileSync(path, content)
    expect(() => readReport(path)).toThrowError(message)
  })

  test('a report compared with its own figures has no changes; with changed ones, exactly those', () => {
    const path = join(dir, 'good.json')
    writeFileSync(path, JSON.stringify(sampleReport))
    const report = readReport(path)
    const own = Object.fromEntries(report.tests.filter(t => t.metrics).map(t => [testKey(t), comparedMetrics(t.metrics!)]))
    const rules = resolveRegressionRules(undefined)
    expect(compareReport(report, own, testKey, rules).summary).toMatchObject({ compared: true, regressed: 0, improved: 0 })

    // The base had the 1 GB parse 50 MB (25%) lighter in total, and the header read allocating
    // 40 MB more: one regression and one improvement, each on that metric only.
    const heavy = 'test/a.test.ts > parser > parses a 1 GB file'
    const header = 'test/a.test.ts > parser > reads a header'
    const base = { ...own, [heavy]: { ...own[heavy]!, total: 200 * MB }, [header]: { ...own[header]!, allocated: 120 * MB } }
    const compared = compareReport(report, base, testKey, rules)
    expect(compared.summary).toMatchObject({ compared: true, regressed: 1, improved: 1 })
    expect(Object.fromEntries(compared.tests.map(t => [testKey(t), t.changes]))).toEqual({
      [heavy]: [{ metric: 'total', base: 200 * MB, head: 250 * MB, delta: 50 * MB, ratio: 0.25, direction: 'regressed' }],
      [header]: [{ metric: 'allocated', base: 120 * MB, head: 80 * MB, delta: -40 * MB, ratio: -1 / 3, direction: 'improved' }],
      'test/b.test.ts > light': [],
      'test/c.test.ts > runs alongside': [],
      'test/c.test.ts > crashed worker': [],
    })
  })
})
