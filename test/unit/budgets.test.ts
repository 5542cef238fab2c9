import { describe, expect, test } from 'vitest'
import { compileBudgets } from '../../src/budgets/compile.js'
import { createBudgetMatcher } from '../../src/budgets/match.js'
import { checkBudget, fullNameOf } from '../../src/worker/test-recorder.js'
import type { MemoryMetrics } from '../../src/measure/measure-memory.js'

describe('budget patterns', () => {
  const match = createBudgetMatcher(compileBudgets({
    '**': '50MB',
    'test/parser/**': { total: '1GB', rss: '2GiB' },
    'test/parser/big.test.ts > parses a * file': { retained: '10MB' },
    '** > legacy > *': '300MB',
  }))

  test('a catch-all gives every test a default budget', () => {
    expect(match('test/math.test.ts', 'adds')).toEqual({
      limits: { total: { bytes: 50e6, family: 'si', pattern: '**' } },
      patterns: ['**'],
    })
  })

  test('later keys override earlier ones, metric by metric', () => {
    const budget = match('test/parser/big.test.ts', 'parses a 1 GB file')
    expect(budget.patterns).toEqual(['**', 'test/parser/**', 'test/parser/big.test.ts > parses a * file'])
    expect(budget.limits).toEqual({
      total: { bytes: 1e9, family: 'si', pattern: 'test/parser/**' },
      rss: { bytes: 2 * 2 ** 30, family: 'iec', pattern: 'test/parser/**' },
      retained: { bytes: 10e6, family: 'si', pattern: 'test/parser/big.test.ts > parses a * file' },
    })
  })

  test('a name pattern is matched against the full name; * spans suites', () => {
    expect(match('test/parser/big.test.ts', 'parses a tiny file').patterns).toContain('test/parser/big.test.ts > parses a * file')
    expect(match('test/parser/big.test.ts', 'streams a file').patterns).not.toContain('test/parser/big.test.ts > parses a * file')
    expect(match('test/a.test.ts', 'legacy > api > v1 > reads').limits.total).toMatchObject({ bytes: 300e6, pattern: '** > legacy > *' })
    expect(match('test/a.test.ts', 'not legacy > reads').limits.total!.pattern).toBe('**')
  })

  test('file globs follow picomatch: * stays in one folder, ** crosses folders, dot files match', () => {
    const m = createBudgetMatcher(compileBudgets({ 'test/*.test.ts': '1MB', 'src/**/.hidden/*.ts': '2MB' }))
    expect(m('test/a.test.ts', 'x').patterns).toEqual(['test/*.test.ts'])
    expect(m('test/deep/a.test.ts', 'x').patterns).toEqual([])
    expect(m('src/a/b/.hidden/c.ts', 'x').patterns).toEqual(['src/**/.hidden/*.ts'])
  })

  test('** and * cross into dot folders and dot files, as picomatch does with dot: true', () => {
    const m = createBudgetMatcher(compileBudgets({ 'src/**': '1MB', 'test/*': '2MB' }))
    expect(m('src/.cache/a.test.ts', 'x').patterns).toEqual(['src/**'])
    expect(m('test/.a.test.ts', 'x').patterns).toEqual(['test/*'])
  })

  test('* in a name pattern spans a line break in a test name', () => {
    const m = createBudgetMatcher(compileBudgets({ '** > parses * file': '1MB' }))
    expect(m('a.test.ts', 'parses a\nmultiline file').patterns).toEqual(['** > parses * file'])
  })

  test('a budget object without a metric is refused, naming the accepted ones', () => {
    expect(() => compileBudgets({ 'src/**': {} })).toThrow('The budget for "src/**" sets no metric. Accepted: total, heap, external, rss, native, retained, domNodes, domListeners, domDocuments.')
  })

  test('names are matched literally apart from * and ?', () => {
    const m = createBudgetMatcher(compileBudgets({ '** > parses (a|b) [x]? file.csv': '1MB' }))
    expect(m('a.test.ts', 'parses (a|b) [x]1 file.csv').patterns).toHaveLength(1)
    expect(m('a.test.ts', 'parses a [x]1 fileXcsv').patterns).toHaveLength(0)
  })

  test('no budgets, no limits', () => {
    expect(createBudgetMatcher(compileBudgets(undefined))('a.test.ts', 'x')).toEqual({ limits: {}, patterns: [] })
  })
})

describe('checkBudget', () => {
  const metrics: MemoryMetrics = { total: 120e6, heap: 20e6, external: 100e6, rss: 90e6, native: Number.NaN, retained: 5e6, allocated: 300e6, gcCount: 2, gcTime: 1, duration: 10 }

  test('lists every metric over its limit, and none at or under it', () => {
    const budget = createBudgetMatcher(compileBudgets({ '**': { total: '100MB', rss: '90MB', retained: '1MB', heap: '1GB' } }))('a', 'b')
    expect(checkBudget(metrics, budget)).toEqual([
      { metric: 'total', value: 120e6, limit: { bytes: 100e6, family: 'si', pattern: '**' } },
      { metric: 'retained', value: 5e6, limit: { bytes: 1e6, family: 'si', pattern: '**' } },
    ])
  })
})

describe('fullNameOf', () => {
  test('joins suite names with " > ", leaving out the file', () => {
    const file = { name: 'test/a.test.ts', filepath: '/repo/test/a.test.ts' }
    const outer = { name: 'parser', suite: file }
    const inner = { name: 'csv', suite: outer }
    expect(fullNameOf({ name: 'reads quotes', suite: inner })).toBe('parser > csv > reads quotes')
    expect(fullNameOf({ name: 'top level', suite: file })).toBe('top level')
  })
})

describe('DOM-count budgets', () => {
  const budget = createBudgetMatcher(compileBudgets({ '**': { total: '10MB', domNodes: 500, domListeners: 0 } }))('a.test.ts', 'mounts')
  const figures: MemoryMetrics = { total: 1e6, heap: 1e6, external: 0, rss: Number.NaN, native: Number.NaN, retained: 0, allocated: 1e6, gcCount: 0, gcTime: 0, duration: 1 }

  test('hold a browser test to its DOM counts', () => {
    expect(checkBudget({ ...figures, dom: { nodes: 501, documents: 0, listeners: 1 } }, budget).map(v => [v.metric, v.value, v.limit.bytes]))
      .toEqual([['domNodes', 501, 500], ['domListeners', 1, 0]])
    expect(checkBudget({ ...figures, dom: { nodes: 500, documents: 3, listeners: 0 } }, budget)).toEqual([])
  })

  test('do not apply to a Node test, which has no DOM: its other limits still do', () => {
    expect(checkBudget(figures, budget)).toEqual([])
    expect(checkBudget({ ...figures, total: 20e6 }, budget).map(v => v.metric)).toEqual(['total'])
  })

  test('take a whole number of objects, and say so naming the key', () => {
    expect(() => compileBudgets({ 'src/**': { domNodes: '5kB' } })).toThrow('Invalid budget "domNodes" for "src/**": expected a whole number of objects, 0 or more (e.g. 5000), got "5kB".')
    expect(() => compileBudgets({ 'src/**': { domListeners: -1 } })).toThrow('Invalid budget "domListeners" for "src/**"')
    expect(() => compileBudgets({ 'src/**': { domNodes: 1.5 } })).toThrow('Invalid budget "domNodes" for "src/**": expected a whole number of objects, 0 or more (e.g. 5000), got 1.5.')
    expect(compileBudgets({ 'src/**': { domDocuments: 0 } })[0]!.limits).toEqual({ domDocuments: { bytes: 0, family: 'si' } })
    expect(() => compileBudgets({ 'src/**': { domNodez: 1 } })).toThrow('Unknown metric "domNodez" in the budget for "src/**". Accepted: total, heap, external, rss, native, retained, domNodes, domListeners, domDocuments.')
  })
})
