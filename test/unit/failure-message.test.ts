import { describe, expect, test } from 'vitest'
import { formatBudgetFailure } from '../../src/matchers/failure-message.js'
import type { MemoryMeasurement } from '../../src/measure/measure-memory.js'

const measurement: MemoryMeasurement = {
  total: 412_500_000,
  heap: 12_300_000,
  external: 400_200_000,
  rss: 20_100_000,
  native: 405.1e6,
  retained: 1_200,
  allocated: 812_400_000,
  gcCount: 3,
  gcTime: 1.234,
  duration: 45.2,
  rssMethod: 'kernel',
  timeline: [],
  allocationSites: [
    { functionName: 'parseRows', file: 'src/parse.ts', line: 42, bytes: 9_100_000 },
    { functionName: 'splitLine', file: 'src/parse.ts', line: 7, bytes: 2_050_000 },
    { functionName: '(anonymous)', file: 'src/index.ts', line: 3, bytes: 512_000 },
    { functionName: 'decode', file: 'node_modules/iconv/lib/index.js', line: 101, bytes: 80_000 },
    { functionName: 'push', file: '', line: 0, bytes: 4_000 },
    { functionName: 'sixth', file: 'src/other.ts', line: 1, bytes: 100 },
  ],
}

describe('formatBudgetFailure', () => {
  test('states the verdict, every metric, and the top five allocation sites', () => {
    expect(formatBudgetFailure({ metric: 'total', budget: 300e6, family: 'si', negated: false, measurement })).toBe(`\
expected the function to stay under 300 MB of peak memory (heap + external), but its peak was 412.5 MB (112.5 MB over)

  > total     412.5 MB  peak of heap + external
    heap       12.3 MB  peak of the V8 heap
    external  400.2 MB  peak of ArrayBuffer/Buffer memory
    rss        20.1 MB  peak resident memory (kernel high-water mark)
    native    405.1 MB  peak of the C heap (malloc, C++ new; Buffer contents too)
    retained    1.2 kB  still held after a full GC
    allocated 812.4 MB  in total, 3 GCs (1.2 ms), took 45.2 ms

Top allocation sites (V8 heap, sampled; Buffer/ArrayBuffer contents are external and show as small wrappers):
   9.1 MB  parseRows    src/parse.ts:42
  2.05 MB  splitLine    src/parse.ts:7
   512 kB  (anonymous)  src/index.ts:3
    80 kB  decode       node_modules/iconv/lib/index.js:101
     4 kB  push         (native)`)
  })

  test('for .not, says the budget was expected to be exceeded', () => {
    const text = formatBudgetFailure({ metric: 'rss', budget: 2 ** 30, family: 'iec', negated: true, measurement })
    expect(text.split('\n')[0]).toBe('expected the function to exceed 1 GiB of resident memory (RSS), but its peak was 19.17 MiB')
    expect(text).toContain('  > rss ')
    expect(text).toContain('(kernel high-water mark)')
  })

  test('fits a terminal and leaves out an empty sites section', () => {
    const text = formatBudgetFailure({ metric: 'heap', budget: 1e6, family: 'si', negated: false, measurement: { ...measurement, allocationSites: [], rssMethod: 'sampler', gcCount: 1 } })
    expect(text.split('\n').length).toBeLessThanOrEqual(20)
    expect(text).not.toContain('allocation sites')
    expect(text).toContain('peak resident memory (sampled)')
    expect(text).toContain('in total, 1 GC (')
  })
})
