import { describe, expect, test } from 'vitest'
import { DEFAULT_LEAK_THRESHOLD, DOM_LEAK_PER_CALL, measureLeakWith, robustSlope, sustainedGrowth } from '../../src/measure/leak-trend.js'
import type { DomCounts, MemoryProbe } from '../../src/measure/probe.js'

// The leak verdict's arithmetic on samples written by hand, and measureLeakWith over a probe whose
// heap is a counter the function moves: test/leaks.test.ts measures real leaks, but through a real
// heap its figures carry noise, so it can only bound them, not pin each branch of the trend.

/** Samples from the growth of each batch: the first sample is 0. */
const samplesOf = (growth: number[]) => growth.reduce((samples, g) => [...samples, samples.at(-1)! + g], [0])

describe('robustSlope', () => {
  test('is the median of the slopes between every two points, so one outlying point does not tilt it', () => {
    expect(robustSlope([0, 1, 2, 3, 4, 5], [0, 10, 20, 500, 40, 50])).toBe(10)
  })

  test('takes the middle two of an even number of slopes, sorted as numbers, not as text', () => {
    // Slopes 9, 10 and 100 (as text, "10" < "100" < "9"), and with a fourth point 9, 10, 100, 4.5.
    expect(robustSlope([0, 1, 2], [0, 9, 109])).toBe(54.5)
    // Pairs: (0,1) 9, (0,2) 54.5, (1,2) 100, (0,3) 9, (1,3) 9, (2,3) -41 → -41, 9, 9, 9, 54.5, 100.
    expect(robustSlope([0, 1, 2, 3], [0, 9, 109, 27])).toBe(9)
  })

  test('skips two points at the same x, which have no slope, and has none for fewer than two points', () => {
    // Without the skip, 5 / 0 = Infinity would be one of three slopes, and their median 10.
    expect(robustSlope([0, 0, 1], [0, 5, 10])).toBe(7.5)
    expect(robustSlope([3], [7])).toBe(0)
    expect(robustSlope([], [])).toBe(0)
  })
})

describe('sustainedGrowth', () => {
  test('a steady leak grows by the same amount per call all the way, and does not slow down', () => {
    expect(sustainedGrowth(samplesOf([100, 100, 100, 100, 100, 100, 100, 100]), 100, 0.5)).toEqual({ perCall: 1, slowing: false })
  })

  test('a bounded cache that fills in the first half grew steeply, then stopped: no growth that keeps going, and slowing', () => {
    const trend = sustainedGrowth(samplesOf([800, 800, 800, 800, 0, 0, 0, 0]), 100, 1)
    expect(trend).toEqual({ perCall: 0, slowing: true })
  })

  test('slowing needs a slope above the rate and a last batch under half of it, both strictly', () => {
    // Six batches of 800 and two of `last`: the slope is 8 per call (21 of the 36 pairs), the last batch `last` / 100.
    const slowing = (last: number, rate: number) => sustainedGrowth(samplesOf([800, 800, 800, 800, 800, 800, last, last]), 100, rate).slowing
    expect(slowing(800, 1)).toBe(false)
    expect(slowing(400, 1)).toBe(false)
    expect(slowing(390, 1)).toBe(true)
    expect(slowing(390, 8)).toBe(false)
    expect(slowing(390, 7.9)).toBe(true)
  })

  test('a release made once in the middle of a steady leak is set aside, so the leak still shows', () => {
    // 2 MB freed in batch 4; the batches around it vary by 10, so the release stands far out.
    const growth = [100, 110, 90, -2_000_000, 100, 110, 90, 100]
    const trend = sustainedGrowth(samplesOf(growth), 100, 0.5)
    // The last third (110, 90, 100) has the median 100; the last two 95: the lowest of the three.
    expect(trend.perCall).toBe(0.95)
    // The same release within batches that vary as much as it does is no step, and the slope is under 0.
    expect(sustainedGrowth(samplesOf([100, -2_000_000, 100, -2_000_000, 100, 110, 90, 100]), 100, 0.5).perCall).toBeLessThan(0)
  })

  test('a step stands out only by more than 4 times the others\' largest deviation from their median', () => {
    // The others are 90, 100 and 110 (median 100, largest deviation 10): a last batch of 60 is 40 from it, exactly 4 times.
    const growth = (last: number) => [100, 110, 90, 100, 110, 90, 100, last]
    // Left as it is, it pulls the last two down to (100 + 60) / 2.
    expect(sustainedGrowth(samplesOf(growth(60)), 100, 1).perCall).toBe(0.8)
    // One byte less and it is set aside: it counts as 100, like the others.
    expect(sustainedGrowth(samplesOf(growth(59)), 100, 1).perCall).toBe(1)
  })

  test('a one-off dip in the second-last batch is set aside too, so the last two still show the leak', () => {
    // A GC that ran late, say: batch 7 shows no growth. Left in, it would halve the last two's mean.
    expect(sustainedGrowth(samplesOf([100, 110, 90, 100, 110, 90, 0, 100]), 100, 0.5).perCall).toBe(1)
  })

  test('a queue flushed every few batches rises and falls: no single step, and no growth that keeps going', () => {
    const trend = sustainedGrowth(samplesOf([100, 100, -200, 100, 100, -200, 100, 100]), 100, 0.5)
    // Each rise keeps 1 B a call; over the series, under a tenth of that (the slope 1/14).
    expect(trend.perCall).toBeCloseTo(1 / 14, 10)
    expect(trend.slowing).toBe(false)
  })

  test('the lowest of the three wins: the last two batches', () => {
    // Last third 100, 40, 80 (median 80); last two (40 + 80) / 2 = 60; the slope near 100.
    expect(sustainedGrowth(samplesOf([100, 100, 95, 100, 105, 100, 40, 80]), 100, 0.5).perCall).toBe(0.6)
  })

  test('the lowest of the three wins: the last third, three batches at least, a third of a long series', () => {
    // 12 batches: the last third is the last 4 (20, 20, 100, 100; median 60), not the last 3 (median 100).
    expect(sustainedGrowth(samplesOf([100, 100, 100, 100, 100, 100, 100, 100, 20, 20, 100, 100]), 100, 0.5).perCall).toBe(0.6)
    // 4 batches: a third would be 2 (20, 100; median 60), but it is the last 3 (20, 20, 100; median 20).
    expect(sustainedGrowth(samplesOf([100, 20, 20, 100]), 100, 0.5).perCall).toBe(0.2)
  })

  test('the lowest of the three wins: the slope over the whole series', () => {
    // Growth only in the last two batches: most pairs of samples are flat, so the slope is 0.
    expect(sustainedGrowth(samplesOf([0, 0, 0, 0, 0, 0, 100, 100]), 100, 0.5)).toEqual({ perCall: 0, slowing: false })
  })

  test('reads per call: the growth of a batch over the calls in it', () => {
    expect(sustainedGrowth(samplesOf([500, 500, 500, 500]), 10, 1).perCall).toBe(50)
  })
})

/**
 * A probe whose heap holds what the function kept: `keep(call)` bytes on each call (heap and
 * external alike, each given), plus code and DOM counts as given, read after each full GC.
 */
function fakeProbe({ heap = (_: number) => 0, external = (_: number) => 0, code, dom }: {
  heap?: (call: number) => number
  external?: (call: number) => number
  code?: (call: number) => number
  dom?: (call: number) => DomCounts
} = {}) {
  const state = { calls: 0, kept: { heap: 0, external: 0 }, collections: 0, reads: [] as number[], exclusive: false }
  const fn = () => {
    if (!state.exclusive)
      throw new Error('called outside probe.exclusive')
    state.calls++
    state.kept.heap += heap(state.calls)
    state.kept.external += external(state.calls)
  }
  const probe: MemoryProbe = {
    measuresRss: false,
    nativeUnavailable: () => 'not measured by this test probe',
    collectGarbage: () => {
      state.collections++
    },
    openWindow: () => {
      throw new Error('measureLeak opens no window')
    },
    heapNow: () => {
      state.reads.push(state.collections)
      return { heap: 5e6 + state.kept.heap, external: 1e5 + state.kept.external }
    },
    ...(code && { codeNow: () => code(state.calls) }),
    ...(dom && { domNow: async () => dom(state.calls) }),
    exclusive: async (task) => {
      state.exclusive = true
      try {
        return await task()
      }
      finally {
        state.exclusive = false
      }
    },
  }
  return { probe, fn, state }
}

describe('measureLeakWith', () => {
  test('by default: 100 warm-up calls, then 8 batches of 100, each sample after two full GCs, inside probe.exclusive', async () => {
    const { probe, fn, state } = fakeProbe({ heap: () => 10 })
    const m = await measureLeakWith(probe, fn)
    expect(state.calls).toBe(900)
    expect(state.reads).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18])
    expect(m).toEqual({ leaks: false, retainedPerCall: 10, slowing: false, retainedTotal: 8000, calls: 800, threshold: DEFAULT_LEAK_THRESHOLD, samples: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000] })
    expect(state.exclusive).toBe(false)
  })

  test('leaks above the threshold per call, not at it: 24 B by default, or a size as budgets take it', async () => {
    const leaks = async (perCall: number, threshold?: string | number) => {
      const { probe, fn } = fakeProbe({ heap: () => perCall })
      return (await measureLeakWith(probe, fn, threshold === undefined ? {} : { threshold })).leaks
    }
    expect(DEFAULT_LEAK_THRESHOLD).toBe(24)
    expect(await leaks(24)).toBe(false)
    expect(await leaks(25)).toBe(true)
    expect(await leaks(1000, '1kB')).toBe(false)
    expect(await leaks(1001, '1kB')).toBe(true)
    expect(await leaks(1, 0)).toBe(true)
  })

  test('counts heap and external memory, less the compiled code, relative to the first sample', async () => {
    // 8 B a call kept on the heap and 20 B outside it; V8's code on the heap grows 130 B a call, which is not the function's.
    const { probe, fn } = fakeProbe({ heap: () => 8 + 130, external: () => 20, code: calls => 130 * calls })
    const m = await measureLeakWith(probe, fn, { warmup: 0, iterations: 3, callsPerIteration: 100 })
    expect(m).toMatchObject({ leaks: true, retainedPerCall: 28, calls: 300, samples: [0, 2800, 5600, 8400] })
    const clean = fakeProbe({ heap: () => 130, code: calls => 130 * calls })
    expect(await measureLeakWith(clean.probe, clean.fn)).toMatchObject({ leaks: false, retainedPerCall: 0, samples: [0, 0, 0, 0, 0, 0, 0, 0, 0] })
  })

  test('what the warm-up keeps is not a leak: the first sample is taken after it', async () => {
    const { probe, fn, state } = fakeProbe({ heap: call => (call <= 50 ? 1e6 : 0) })
    const m = await measureLeakWith(probe, fn, { warmup: 50, iterations: 3, callsPerIteration: 1 })
    expect(state.calls).toBe(53)
    expect(m).toMatchObject({ leaks: false, retainedPerCall: 0, retainedTotal: 0, calls: 3, samples: [0, 0, 0, 0] })
  })

  test('takes the smallest counts it accepts, and refuses smaller ones naming the option', async () => {
    const { probe, fn, state } = fakeProbe({ heap: () => 100 })
    const m = await measureLeakWith(probe, fn, { warmup: 0, iterations: 3, callsPerIteration: 1 })
    expect(state.calls).toBe(3)
    expect(m).toMatchObject({ leaks: true, retainedPerCall: 100, samples: [0, 100, 200, 300] })
    await expect(measureLeakWith(probe, fn, { warmup: -1 })).rejects.toThrowError('Invalid warmup: -1. Expected a whole number, 0 or more.')
    await expect(measureLeakWith(probe, fn, { iterations: 2 })).rejects.toThrowError('Invalid iterations: 2. Expected a whole number, 3 or more.')
    await expect(measureLeakWith(probe, fn, { callsPerIteration: 0 })).rejects.toThrowError('Invalid callsPerIteration: 0. Expected a whole number, 1 or more.')
    await expect(measureLeakWith(probe, fn, { threshold: '1 kilobyte' })).rejects.toThrowError('Invalid threshold: "1 kilobyte".')
    await expect(measureLeakWith(probe, fn, { iterations: 3, every: 2 } as never)).rejects.toThrowError('Unknown measureLeak option "every". Accepted: warmup, iterations, callsPerIteration, threshold.')
    await expect(measureLeakWith(probe, 'fn' as never)).rejects.toThrowError('measureLeak expects a function to run, got string.')
    expect(state.calls).toBe(3)
  })

  test('passes a cache that fills and stops through as slowing', async () => {
    const { probe, fn } = fakeProbe({ heap: call => (call <= 400 ? 100 : 0) })
    const m = await measureLeakWith(probe, fn, { warmup: 0 })
    expect(m).toMatchObject({ leaks: false, retainedPerCall: 0, slowing: true, retainedTotal: 40_000 })
  })

  describe('in a browser, DOM objects kept per call', () => {
    /** So many nodes, documents and listeners more every `batch` calls. */
    const counts = ([nodes, documents, listeners]: [number, number, number], batch = 100) => (call: number): DomCounts => {
      const batches = Math.floor(call / batch)
      return { nodes: nodes * batches, documents: documents * batches, listeners: listeners * batches }
    }

    test('are each a slope, and leak from one every 100 calls, even when the heap kept nothing', async () => {
      expect(DOM_LEAK_PER_CALL).toBe(0.01)
      for (const [kept, perCall] of [[[1, 0, 0], { nodes: 0.01, documents: 0, listeners: 0 }], [[0, 1, 0], { nodes: 0, documents: 0.01, listeners: 0 }], [[0, 0, 1], { nodes: 0, documents: 0, listeners: 0.01 }]] as const) {
        const { probe, fn } = fakeProbe({ dom: counts([...kept]) })
        expect(await measureLeakWith(probe, fn)).toMatchObject({ leaks: true, retainedPerCall: 0, dom: perCall })
      }
    })

    test('below one every 100 calls, or none, is no leak', async () => {
      const { probe, fn } = fakeProbe({ dom: counts([9, 9, 9], 1000) })
      expect(await measureLeakWith(probe, fn, { warmup: 0, callsPerIteration: 1000 })).toMatchObject({ leaks: false, dom: { nodes: 0.009, documents: 0.009, listeners: 0.009 } })
      const still = fakeProbe({ dom: () => ({ nodes: 40, documents: 1, listeners: 3 }) })
      expect(await measureLeakWith(still.probe, still.fn)).toMatchObject({ leaks: false, dom: { nodes: 0, documents: 0, listeners: 0 } })
    })

    test('are left out where there is no DOM', async () => {
      const { probe, fn } = fakeProbe({ heap: () => 1 })
      expect(await measureLeakWith(probe, fn)).not.toHaveProperty('dom')
    })
  })
})
