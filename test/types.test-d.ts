import { describe, expect, expectTypeOf, test } from 'vitest'
import { defineConfig, type Plugin } from 'vitest/config'
import {
  type BudgetMetric,
  measureAllocations,
  measureLeak,
  measureMemory,
  memoryBudget,
  type MemoryBudgetOptions,
  type MemoryMeasurement,
  type MemoryMetrics,
  type MemoryReport,
  parseSize,
  type ReportTest,
  type SizeInput,
  type StayUnderOptions,
  type UnattributedTestMemory,
  type Verdict,
} from '../src/index.js'
import { measureAllocations as measureAllocationsInPage, measureMemory as measureMemoryInPage } from '../src/browser.js'

describe('toStayUnder', () => {
  test('takes a size and options, and must be awaited', () => {
    expectTypeOf(expect(() => {}).toStayUnder).parameters.toEqualTypeOf<[budget: SizeInput, options?: StayUnderOptions]>()
    expectTypeOf(expect(() => {}).toStayUnder('300MB')).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(() => {}).not.toStayUnder(1024, { metric: 'rss' })).toEqualTypeOf<Promise<void>>()
    expectTypeOf<BudgetMetric>().toEqualTypeOf<'total' | 'heap' | 'external' | 'rss' | 'native'>()
  })

  test('rejects what it cannot take', () => {
    // @ts-expect-error a budget is a number of bytes or a size string
    void expect(() => {}).toStayUnder({ total: '1MB' })
    // @ts-expect-error retained is not a peak metric
    void expect(() => {}).toStayUnder('1MB', { metric: 'retained' })
    // @ts-expect-error a budget is required
    void expect(() => {}).toStayUnder()
  })
})

describe('measureMemory', () => {
  test('resolves to every metric', () => {
    expectTypeOf(measureMemory(() => {})).toEqualTypeOf<Promise<MemoryMeasurement>>()
    expectTypeOf(measureMemory(async () => 42, { rss: 'sampler', allocationSites: true })).toEqualTypeOf<Promise<MemoryMeasurement>>()
    expectTypeOf<MemoryMeasurement>().toMatchTypeOf<MemoryMetrics>()
    expectTypeOf<MemoryMetrics>().toEqualTypeOf<{
      total: number
      heap: number
      external: number
      rss: number
      native: number
      retained: number
      allocated: number
      gcCount: number
      gcTime: number
      duration: number
    }>()
    // The README's two values: a measurement's method assigns to them.
    expectTypeOf<MemoryMeasurement['rssMethod']>().toEqualTypeOf<'kernel' | 'sampler'>()
    // @ts-expect-error unknown rss method
    void measureMemory(() => {}, { rss: 'fast' })
  })

  test('parseSize takes sizes', () => {
    expectTypeOf(parseSize).parameter(0).toEqualTypeOf<number | string>()
    expectTypeOf(parseSize('1MB')).toEqualTypeOf<{ bytes: number, family: 'si' | 'iec' }>()
  })
})

describe('memoryBudget', () => {
  test('is a Vite plugin that fits in defineConfig', () => {
    expectTypeOf(memoryBudget()).toMatchTypeOf<Plugin>()
    expectTypeOf(memoryBudget).parameter(0).toEqualTypeOf<MemoryBudgetOptions | undefined>()
    defineConfig({ plugins: [memoryBudget({ deterministic: false })] })
    // @ts-expect-error unknown option
    memoryBudget({ deterministc: false })
  })
})

describe('regression options', () => {
  test('take fractions or percentages, sizes, and per-metric rules', () => {
    defineConfig({ plugins: [memoryBudget({ baseline: 'perf/memory.json', regression: { threshold: '5%', minDelta: '1MB', metrics: { rss: { threshold: 0.25 }, heap: false }, failOnRegression: true, acrossEnvironments: true }, markdown: 'comment.md', html: 'reports/memory.html', profiles: 'reports/profiles', annotations: 'auto' })] })
    defineConfig({ plugins: [memoryBudget({ baseline: false })] })
    // @ts-expect-error unknown metric
    memoryBudget({ regression: { metrics: { stack: false } } })
    // @ts-expect-error the baseline is a path or false
    memoryBudget({ baseline: true })
  })
})

describe('heapLimit and crashed tests', () => {
  test('the heap cap is a size; a crashed test carries the memory last seen', () => {
    defineConfig({ plugins: [memoryBudget({ heapLimit: '1GiB' })] })
    defineConfig({ plugins: [memoryBudget({ heapLimit: 512 * 2 ** 20 })] })
    // @ts-expect-error a size, not a flag
    memoryBudget({ heapLimit: true })
    expectTypeOf<'crashed'>().toMatchTypeOf<Verdict>()
    expectTypeOf<ReportTest['crash']>().toEqualTypeOf<{ heap: number, external: number, rss: number, heapLimit: number, v8HeapLimit: number } | undefined>()
    expectTypeOf<MemoryReport['summary']['crashed']>().toEqualTypeOf<number>()
  })
})

describe('the JSON report\'s environment', () => {
  test('records the coverage provider, none when off, absent in reports written before it', () => {
    expectTypeOf<MemoryReport['environment']['coverage']>().toEqualTypeOf<string | undefined>()
  })
})

describe('the JSON report\'s tests', () => {
  test('name their browser: a string, null for Node, absent in reports written before it', () => {
    expectTypeOf<ReportTest['browser']>().toEqualTypeOf<string | null | undefined>()
  })

  test('number the second and later tests of one name in a file', () => {
    expectTypeOf<ReportTest['occurrence']>().toEqualTypeOf<number | undefined>()
  })

  test('a test run beside others keeps the budget it could not be held to', () => {
    expectTypeOf<UnattributedTestMemory['budget']['patterns']>().toEqualTypeOf<string[]>()
  })
})

describe('toAllocateUnder and measureAllocations', () => {
  test('take a size and call counts', () => {
    expectTypeOf(expect(() => {}).toAllocateUnder('64B')).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(() => {}).not.toAllocateUnder(1024, { calls: 100, warmup: 10 })).toEqualTypeOf<Promise<void>>()
    expectTypeOf(measureAllocations(() => 1)).resolves.toHaveProperty('bytesPerCall').toEqualTypeOf<number>()
    // @ts-expect-error calls is a number
    void expect(() => {}).toAllocateUnder('1kB', { calls: 'many' })
  })
})

describe('toLeak', () => {
  test('is used negated and takes leak options', () => {
    expectTypeOf(expect(() => {}).not.toLeak()).toEqualTypeOf<Promise<void>>()
    expectTypeOf(expect(() => {}).not.toLeak({ iterations: 10, callsPerIteration: 50, warmup: 20, threshold: '1kB', snapshots: 'snapshots' })).toEqualTypeOf<Promise<void>>()
    // @ts-expect-error threshold is a size
    void expect(() => {}).not.toLeak({ threshold: true })
    expectTypeOf(measureLeak(() => {})).resolves.toHaveProperty('slowing').toEqualTypeOf<boolean>()
  })
})

describe('vitest-memory-budget/browser', () => {
  test('measures in the page with the types of Node\'s, DOM counts and the timing source added', () => {
    expectTypeOf(measureMemoryInPage(() => {})).resolves.toHaveProperty('rssMethod').toEqualTypeOf<'none'>()
    expectTypeOf(measureMemoryInPage(() => {})).resolves.toHaveProperty('dom').toEqualTypeOf<{ nodes: number, documents: number, listeners: number } | undefined>()
    expectTypeOf(measureAllocationsInPage(() => 1, { calls: 100 })).resolves.toHaveProperty('bytesPerCall').toEqualTypeOf<number>()
    expectTypeOf(measureAllocationsInPage(() => 1)).resolves.toHaveProperty('timedWith').toEqualTypeOf<string>()
  })

  test('budgets take DOM counts as numbers, not sizes', () => {
    expectTypeOf(memoryBudget).toBeCallableWith({ budgets: { 'src/**': { total: '20MB', domNodes: 5000, domListeners: 10, domDocuments: 0 } } })
    // @ts-expect-error a DOM count is a number of objects, not a size
    memoryBudget({ budgets: { 'src/**': { domNodes: '5kB' } } })
  })
})
