import { describe, expect, test } from 'vitest'
import { buildHistory } from '../../src/report/history.js'
import { buildReport, type CollectedTest } from '../../src/report/model.js'
import { renderHistoryMarkdown, sparkline } from '../../src/render/history.js'
import { MARKDOWN_LIMIT } from '../../src/render/markdown.js'
import { environment, memory } from '../helpers/sample-report.js'

const MB = 1e6
const rule = { threshold: 0.1, minDelta: MB }

function run(totals: Record<string, number | 'unmeasured'>, createdAt = '2026-11-23T12:00:00Z') {
  const tests: CollectedTest[] = Object.entries(totals).map(([name, total], i) => ({
    id: name, project: '', file: 'test/a.test.ts', name, line: i + 1, state: 'passed',
    memory: total === 'unmeasured' ? undefined : memory(total),
  }))
  return buildReport(tests, environment, [], new Date(createdAt))
}

describe('buildHistory', () => {
  test("each test's peak per run, oldest first, null where it was missing or not measured", () => {
    const history = buildHistory([
      { label: 'a1', report: run({ steady: 5 * MB, leaves: 3 * MB }) },
      { label: 'b2', report: run({ steady: 5 * MB, leaves: 'unmeasured', joins: 1 * MB }, '2026-11-24T12:00:00Z') },
      { label: 'c3', report: run({ steady: 6 * MB, joins: 4 * MB }, '2026-11-25T12:00:00Z') },
    ])
    expect(history).toEqual({
      metric: 'total',
      unmeasuredRuns: [],
      runs: [{ label: 'a1', createdAt: '2026-11-23T12:00:00.000Z' }, { label: 'b2', createdAt: '2026-11-24T12:00:00.000Z' }, { label: 'c3', createdAt: '2026-11-25T12:00:00.000Z' }],
      tests: [
        { key: 'test/a.test.ts > joins', values: [null, 1 * MB, 4 * MB] },
        { key: 'test/a.test.ts > leaves', values: [3 * MB, null, null] },
        { key: 'test/a.test.ts > steady', values: [5 * MB, 5 * MB, 6 * MB] },
      ],
    })
  })
})

describe('sparkline', () => {
  test('lowest at the bottom, highest at the top, a dot for each gap, a flat line in the middle', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█')
    expect(sparkline([8, null, 1])).toBe('█·▁')
    expect(sparkline([5, 5, null])).toBe('▄▄·')
  })
})

describe('renderHistoryMarkdown', () => {
  test('a row per changed test, largest change first, escaped; tests that stayed put are left out', () => {
    const history = buildHistory([
      { label: 'runs/1 | <b>.json', report: run({ 'grows': 10 * MB, 'noise': 10 * MB, 'tiny | <script>': 10_000 }) },
      { label: 'runs/2.json', report: run({ 'grows': 30 * MB, 'noise': 10.5 * MB, 'tiny | <script>': 900_000 }) },
    ])
    expect(renderHistoryMarkdown(history, rule)).toBe([
      '**Memory history:** 2 runs, 3 tests, 1 changed (peak heap + external, oldest run first)',
      '',
      '| test | trend | first | last | change | |',
      '|---|---|--:|--:|--:|---|',
      '| test/a.test.ts &#62; grows | ▁█ | 10 MB | 30 MB | +200.0% |  |',
      '',
      'Runs: 1. runs/1 &#124; &#60;b&#62;.json · 2. runs/2.json',
      '',
    ].join('\n'))
  })

  test('says so when nothing changed', () => {
    const history = buildHistory([{ label: 'one', report: run({ a: MB }) }])
    expect(renderHistoryMarkdown(history, rule)).toContain('No test changed across the runs beyond the regression threshold.')
  })

  test('10,000 changed tests are cut to fit a pull-request comment, saying how many more', () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `test number ${i} with a long descriptive name`)
    const history = buildHistory([
      { label: 'old', report: run(Object.fromEntries(names.map(n => [n, 10 * MB]))) },
      { label: 'new', report: run(Object.fromEntries(names.map((n, i) => [n, 20 * MB + i]))) },
    ])
    const markdown = renderHistoryMarkdown(history, rule)
    expect(markdown.length).toBeLessThan(MARKDOWN_LIMIT)
    expect(markdown).toMatch(/\| … and \d+ more \|/)
  })
})
