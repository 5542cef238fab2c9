import { describe, expect, test } from 'vitest'
import { resolveRegressionRules } from '../../src/compare/rules.js'
import { testKey } from '../../src/report/files.js'
import { buildReport, type CollectedTest, compareReport } from '../../src/report/model.js'
import { renderAnnotations } from '../../src/render/github.js'
import { COMMENT_MARKER, escapeMarkdown, formatPercent, renderMarkdownReport } from '../../src/render/markdown.js'
import { renderTerminalSummary } from '../../src/render/terminal.js'
import { environment, memory } from '../helpers/sample-report.js'

const MB = 1e6
const rules = resolveRegressionRules(undefined)
const budgeted = { limits: { total: { bytes: 100 * MB, family: 'si' as const, pattern: '**' } }, patterns: ['**'] }

function compared(tests: CollectedTest[], baseTotals: Record<string, number>) {
  const report = buildReport(tests, environment, ['**'], new Date('2026-11-23T12:00:00Z'))
  const base = Object.fromEntries(Object.entries(baseTotals).map(([key, total]) => [key, { total, heap: total / 4, external: (total * 3) / 4, rss: total / 2, retained: 1000, allocated: total * 2 }]))
  return compareReport(report, base, testKey, rules)
}

const collected = (name: string, total: number, overrides: Partial<CollectedTest> = {}): CollectedTest =>
  ({ id: name, project: '', file: 'test/a.test.ts', name, line: 1, state: 'passed', memory: memory(total, { budget: budgeted }), ...overrides })

const NASTY = 'pipe | tick ` <img src=x onerror=alert(1)> [link](https://evil.example) **bold** @octocat\nsecond line ::error::forged %0A 100%'

describe('renderMarkdownReport', () => {
  const report = compared([
    collected('grew a little', 20 * MB),
    collected('grew a lot', 60 * MB),
    collected('shrank', 5 * MB),
    collected('same', 10 * MB),
    collected('over budget', 150 * MB, { state: 'failed', memory: memory(150 * MB, { budget: budgeted, violations: [{ metric: 'total', value: 150 * MB, limit: budgeted.limits.total }] }) }),
  ], {
    'test/a.test.ts > grew a little': 16 * MB,
    'test/a.test.ts > grew a lot': 30 * MB,
    'test/a.test.ts > shrank': 10 * MB,
    'test/a.test.ts > same': 10 * MB,
    'test/a.test.ts > over budget': 150 * MB,
  })
  const text = renderMarkdownReport(report)

  test('starts with the hidden marker and a one-line summary', () => {
    expect(text.split('\n')[0]).toBe(COMMENT_MARKER)
    expect(text).toContain('**Memory:** 5 tests measured · 1 over budget · 2 regressed · 1 improved')
  })

  test('lists budget failures first, then regressions and improvements by size, with base, head and an up or down mark', () => {
    const rows = text.split('\n').filter(line => line.startsWith('| ') && !line.startsWith('| test |'))
    const named = rows.map(line => line.split(' | ')[0]).filter(first => first!.trim() !== '|')
    expect(named.slice(0, 4)).toEqual(['| ❌ test/a.test.ts &#62; over budget', '| test/a.test.ts &#62; grew a lot', '| test/a.test.ts &#62; grew a little', '| test/a.test.ts &#62; shrank'])
    expect(text).toContain('| total | 30 MB | 60 MB | 🔺 +100.0% |')
    expect(text).toContain('| total | 10 MB | 5 MB | 🔽 -50.0% |')
    expect(text.slice(0, text.indexOf('<details>'))).not.toContain('&#62; same |')
  })

  test('draws the biggest changes as a mermaid xychart GitHub renders', () => {
    expect(text).toContain('```mermaid\nxychart-beta\n')
    expect(text).toMatch(/ {2}bar \[100, -50, 25\]/)
  })

  test('puts every measured test in a collapsed section', () => {
    expect(text).toContain('<details><summary>All 5 measured tests</summary>')
    expect(text.trimEnd().endsWith('</details>')).toBe(true)
  })

  test('stays under GitHub\'s 65,536-character limit for 10,000 tests', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => collected(`test number ${i} with a fairly long descriptive name`, (i % 100 + 1) * MB))
    const base = Object.fromEntries(many.map((t, i) => [`test/a.test.ts > ${t.name}`, (i % 50 + 1) * MB]))
    const big = renderMarkdownReport(compared(many, base))
    expect(big.length).toBeLessThan(65_536)
    expect(big).toMatch(/\| … and \d+ more \| \| \| \| \|/)
    expect(big).toMatch(/\| … and \d+ more \| \| \| \| \| \| \|/)
  })

  test('no test name can break the table or inject markup', () => {
    const hostile = renderMarkdownReport(compared([collected(NASTY, 60 * MB)], { [`test/a.test.ts > ${NASTY}`]: 30 * MB }))
    const row = hostile.split('\n').find(line => line.includes('pipe'))!
    // One row, five cells: the name's pipe is an entity, not a separator.
    expect(row.split(' | ')).toHaveLength(5)
    const legend = hostile.split('\n').find(line => line.startsWith('#1 '))!
    for (const text of [row, legend]) {
      for (const raw of ['<img', '`', '[link]', '**bold**', '@octocat', '::error'])
        expect(text).not.toContain(raw)
    }
    expect(hostile).not.toContain('\nsecond line')
    expect(escapeMarkdown('a|b')).toBe('a&#124;b')
  })
})

describe('formatPercent', () => {
  test('signs a change after rounding it to a tenth: what rounds to nothing is 0.0%, never -0.0% or +0.0%', () => {
    expect([-0.00004, 0.00004, 0, -0.002, 0.0005, 2, -0.5].map(formatPercent)).toEqual(['0.0%', '0.0%', '0.0%', '-0.2%', '+0.1%', '+200.0%', '-50.0%'])
  })
})

describe('renderAnnotations', () => {
  test('an error for a budget failure, a warning for a regression, at file and line', () => {
    const report = compared([
      collected('quiet', 10 * MB, { file: 'test/quiet.test.ts' }),
      collected('over', 150 * MB, { line: 7, memory: memory(150 * MB, { budget: budgeted, violations: [{ metric: 'total', value: 150 * MB, limit: budgeted.limits.total }] }) }),
      collected('grew', 60 * MB, { line: 12 }),
    ], { 'test/a.test.ts > grew': 30 * MB })
    const asked: string[] = []
    const pathOf = (file: string) => {
      asked.push(file)
      return `packages/x/${file}`
    }
    expect(renderAnnotations(report, pathOf)).toEqual([
      '::error file=packages/x/test/a.test.ts,line=7,title=Memory budget exceeded::over: total 150 MB > 100 MB (budget "**")',
      // '%' is escaped as '%25', which GitHub turns back into '%'.
      '::warning file=packages/x/test/a.test.ts,line=12,title=Memory regression::grew: total 30 MB -> 60 MB (+100.0%25), heap 7.5 MB -> 15 MB (+100.0%25), external 22.5 MB -> 45 MB (+100.0%25), allocated 60 MB -> 120 MB (+100.0%25)',
    ])
    // Only for the tests annotated: the reporter's paths cost path.relative each.
    expect(asked).toHaveLength(2)
  })

  test('a test name cannot forge a workflow command', () => {
    const report = compared([collected(NASTY, 60 * MB, { file: 'test/a,b:c.test.ts' })], { [`test/a,b:c.test.ts > ${NASTY}`]: 30 * MB })
    const [line] = renderAnnotations(report)
    expect(line!.split('\n')).toHaveLength(1)
    expect(line).toContain('file=test/a%2Cb%3Ac.test.ts,')
    expect(line).toContain('second line ::error::forged %250A 100%25')
    expect(line).toContain('%0Asecond line')
  })
})

describe('renderTerminalSummary with a baseline', () => {
  test('marks regressions and improvements with the change in percent', () => {
    const report = compared([collected('grew', 60 * MB), collected('shrank', 5 * MB)], { 'test/a.test.ts > grew': 30 * MB, 'test/a.test.ts > shrank': 10 * MB })
    const text = renderTerminalSummary(report, { top: 5, comparedWith: 'memory-baseline.json' })
    expect(text).toContain(' Memory  2 tests measured · 1 regressed · 1 improved')
    expect(text).toMatch(/60 MB ↑\+100% .* test\/a\.test\.ts > grew/)
    expect(text).toContain(' Regressed (1) against memory-baseline.json\n  ↑ test/a.test.ts > grew: total 30 MB → 60 MB (+100%)')
    expect(text).toContain(' Improved (1) against memory-baseline.json\n  ↓ test/a.test.ts > shrank: total 10 MB → 5 MB (-50%)')
  })

  test('of many changed tests, lists the ten that moved most, largest first', () => {
    // Test i doubles from (i + 2) MB: the largest changes belong to the last tests in file order.
    const names = Array.from({ length: 30 }, (_, i) => `grew ${String(i).padStart(2, '0')}`)
    const report = compared(names.map((name, i) => collected(name, 2 * (i + 2) * MB)), Object.fromEntries(names.map((name, i) => [`test/a.test.ts > ${name}`, (i + 2) * MB])))
    const listed = renderTerminalSummary(report, { top: 0 }).split('\n').filter(line => line.startsWith('  ↑')).map(line => line.split(': ')[0]!.replace('  ↑ test/a.test.ts > ', ''))
    expect(listed).toEqual(names.slice(20).reverse())
    expect(renderTerminalSummary(report, { top: 0 })).toContain('  … and 20 more')
  })
})
