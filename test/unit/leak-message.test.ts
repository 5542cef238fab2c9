import { describe, expect, test } from 'vitest'
import type { LeakExplanation } from '../../src/matchers/leak-matcher.js'
import { formatLeakFailure, formatRetainers } from '../../src/matchers/to-leak.js'
import type { LeakMeasurement } from '../../src/measure/leaks.js'

const measurement: LeakMeasurement = {
  leaks: true,
  retainedPerCall: 1_060,
  retainedTotal: 854_300,
  calls: 800,
  slowing: false,
  threshold: 24,
  samples: [0, 105_900, 219_900, 325_600, 429_600, 536_900, 641_100, 746_800, 854_300],
}

const explanation: LeakExplanation = {
  growth: [
    { kind: '(array)', count: 101, bytes: 97_750 },
    { kind: 'Object', count: 100, bytes: 3_200 },
  ],
  calls: 100,
  files: [],
  retainers: {
    status: 'found',
    traces: [
      { path: ['kept or emitter (variable)', 'Array', 'Object'], objects: 300, bytes: 104_000 },
      { path: ['kept or emitter (variable)', 'Array', '(array)'], objects: 1, bytes: 23_568 },
    ],
  },
}

describe('formatRetainers', () => {
  test('one line per path, sizes and counts aligned', () => {
    expect(formatRetainers(explanation.retainers)).toEqual([
      'Retained through (shortest paths from a GC root, by memlab):',
      '    104 kB in 300 objects  kept or emitter (variable) -> Array -> Object',
      '  23.57 kB in 1 object     kept or emitter (variable) -> Array -> (array)',
    ])
  })

  test('without memlab, says how to install it without a Chrome download', () => {
    expect(formatRetainers({ status: 'missing' })).toEqual([
      'To see what still holds them, install memlab as a dev dependency: retainer traces then appear here.',
      '  PUPPETEER_SKIP_DOWNLOAD=1 npm install --save-dev memlab',
      '  (the variable, or a .puppeteerrc.cjs, keeps puppeteer, a dependency of memlab, from downloading Chrome)',
    ])
  })

  test('a memlab failure is one line with its reason', () => {
    expect(formatRetainers({ status: 'failed', reason: 'memlab could not be loaded: Unexpected token' }))
      .toEqual(['No retainer traces: memlab could not be loaded: Unexpected token'])
    expect(formatRetainers({ status: 'found', traces: [] }))
      .toEqual(['No retainer traces: memlab found no path from a GC root to the new objects.'])
  })
})

describe('formatLeakFailure', () => {
  test('the verdict, the samples, what grew and what holds it', () => {
    expect(formatLeakFailure(measurement, true, 100, explanation)).toBe(`\
expected the function not to leak, but it kept 1.06 kB per call (854.3 kB over 800 calls after 100 warm-up calls; the threshold is 24 B per call)

  retained after full GCs, sample by sample: 0 B, 105.9 kB, 219.9 kB, 325.6 kB, 429.6 kB, 536.9 kB, 641.1 kB, 746.8 kB, 854.3 kB

Objects that grew over 100 more calls (heap snapshots before and after):
  +101  +97.75 kB  (array)
  +100    +3.2 kB  Object

Retained through (shortest paths from a GC root, by memlab):
    104 kB in 300 objects  kept or emitter (variable) -> Array -> Object
  23.57 kB in 1 object     kept or emitter (variable) -> Array -> (array)

To look further at what holds them, keep the snapshots with { snapshots: '<folder>' } and compare them in Chrome DevTools (Memory tab).`)
  })

  // A straight line is a leak: only a series that slows down gets the hint about caches.
  test('a series that slows down at its end is said to look like a cache filling, either way', () => {
    // A cache of 850 entries filling over the samples: steep, then flat in the last batch.
    const filling = { ...measurement, retainedPerCall: 530, slowing: true, samples: [0, 105_900, 219_900, 325_600, 429_600, 536_900, 641_100, 746_800, 748_100] }
    expect(formatLeakFailure(filling, true, 100).split('\n')[3]).toBe('  The last batch grew less than half as much, as a bounded cache does when it is nearly full: if this is one, a warmup above its size fills it before the first sample.')
    const full = { ...filling, leaks: false, retainedPerCall: 1.2 }
    expect(formatLeakFailure(full, false, 100)).toBe('expected the function to leak more than 24 B per call, but it kept 1 B per call (over 800 calls after 100 warm-up calls; it grew at first, then stopped, as a bounded cache does once it is full)')
  })
})
