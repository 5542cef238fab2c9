import { describe, expect, test } from 'vitest'
import { compactTimeline, type GcEvent, summarizeGcTrace, type TimelinePoint } from '../../src/measure/gc-trace.js'

const MB = 1e6
const gcEvent = (before: [number, number], after: [number, number], duration = 1): GcEvent => ({
  type: 'Scavenge',
  before: { heap: before[0] * MB, external: before[1] * MB },
  after: { heap: after[0] * MB, external: after[1] * MB },
  duration,
})

describe('summarizeGcTrace', () => {
  const baseline = { heap: 10 * MB, external: 1 * MB }

  test('with no GC the peak is the end state', () => {
    const s = summarizeGcTrace(baseline, [], { heap: 15 * MB, external: 3 * MB })
    expect(s).toMatchObject({ peakHeap: 5 * MB, peakExternal: 2 * MB, peakTotal: 7 * MB, allocated: 7 * MB, gcCount: 0, gcTime: 0 })
  })

  test('a spike freed by a GC is caught from the before-GC point', () => {
    const s = summarizeGcTrace(baseline, [gcEvent([110, 1], [11, 1], 2.5)], { heap: 12 * MB, external: 1 * MB })
    expect(s.peakHeap).toBe(100 * MB)
    expect(s.peakTotal).toBe(100 * MB)
    // 100 MB before the GC, then 1 MB more after it.
    expect(s.allocated).toBe(101 * MB)
    expect(s.gcTime).toBe(2.5)
  })

  test('the total peak is the largest sum at one instant, not the sum of separate peaks', () => {
    const s = summarizeGcTrace(baseline, [gcEvent([60, 1], [10, 1]), gcEvent([10, 51], [10, 1])], { heap: 10 * MB, external: 1 * MB })
    expect(s.peakHeap).toBe(50 * MB)
    expect(s.peakExternal).toBe(50 * MB)
    expect(s.peakTotal).toBe(50 * MB)
    expect(s.allocated).toBe(100 * MB)
    expect(s.gcCount).toBe(2)
  })

  test('memory below the baseline never makes a negative peak', () => {
    const s = summarizeGcTrace(baseline, [gcEvent([9, 1], [5, 1])], { heap: 5 * MB, external: 1 * MB })
    expect(s).toMatchObject({ peakHeap: 0, peakExternal: 0, peakTotal: 0, allocated: 0 })
  })

  test('older memory freed inside the interval does not pull the total below the heap', () => {
    // A GC frees 3 MB of a Buffer older than the interval, then the heap peaks 20 MB up.
    const s = summarizeGcTrace({ heap: 10 * MB, external: 4 * MB }, [gcEvent([12, 4], [12, 1]), gcEvent([30, 1], [12, 1])], { heap: 12 * MB, external: 1 * MB })
    expect(s).toMatchObject({ peakHeap: 20 * MB, peakExternal: 0, peakTotal: 20 * MB })
  })

  test('what the interval allocates after a GC freed older memory counts from where that GC left it', () => {
    // The GC frees 0.3 MB older than the interval; the 0.25 MB allocated after it stay under the baseline.
    const s = summarizeGcTrace(baseline, [gcEvent([10, 1], [9.7, 1])], { heap: 9.95 * MB, external: 1 * MB })
    expect(s.allocated).toBeCloseTo(0.25 * MB)
    expect(s.peakHeap).toBeCloseTo(0.25 * MB)
    expect(s.peakTotal).toBeCloseTo(0.25 * MB)
    expect(s.timeline.map(p => [p.phase, Math.round(p.heap)])).toEqual([['start', 0], ['before-gc', 0], ['after-gc', 0], ['end', 0.25 * MB]])
  })

  test('external memory allocated after a GC freed older external memory counts from where that GC left it', () => {
    // A GC frees 3 MB of a Buffer older than the interval; the 2 MB allocated after it stay under the baseline.
    const s = summarizeGcTrace({ heap: 10 * MB, external: 4 * MB }, [gcEvent([10, 4], [10, 1])], { heap: 10 * MB, external: 3 * MB })
    expect(s).toMatchObject({ peakHeap: 0, peakExternal: 2 * MB, peakTotal: 2 * MB, allocated: 2 * MB })
    expect(s.timeline.at(-1)).toEqual({ gc: 2, phase: 'end', heap: 0, external: 2 * MB })
  })

  test('counts the full collections, as Node and Chromium name them, among all', () => {
    const events = ['Scavenge', 'MarkSweepCompact', 'MinorMarkSweep', 'mark-compact', 'scavenge'].map(type => ({ ...gcEvent([10, 1], [10, 1]), type }))
    expect(summarizeGcTrace(baseline, events, baseline)).toMatchObject({ gcCount: 5, fullGcCount: 2 })
    expect(summarizeGcTrace(baseline, events.slice(0, 1), baseline)).toMatchObject({ gcCount: 1, fullGcCount: 0 })
  })

  test('the timeline has start, both sides of each GC, and end, relative to the baseline', () => {
    const s = summarizeGcTrace(baseline, [gcEvent([30, 1], [12, 1])], { heap: 14 * MB, external: 2 * MB })
    expect(s.timeline).toEqual([
      { gc: 0, phase: 'start', heap: 0, external: 0 },
      { gc: 1, phase: 'before-gc', heap: 20 * MB, external: 0 },
      { gc: 1, phase: 'after-gc', heap: 2 * MB, external: 0 },
      { gc: 2, phase: 'end', heap: 4 * MB, external: 1 * MB },
    ])
  })
})

describe('compactTimeline', () => {
  const points: TimelinePoint[] = Array.from({ length: 1001 }, (_, i) => ({ gc: i, phase: 'before-gc', heap: i === 613 ? 999 : i % 7, external: 0 }))

  test('keeps at most the requested points, the first, the last, and the peak', () => {
    const compact = compactTimeline(points, 64)
    expect(compact.length).toBeLessThanOrEqual(64)
    expect(compact[0]).toBe(points[0])
    expect(compact.at(-1)).toBe(points.at(-1))
    expect(compact).toContain(points[613])
    expect(compact.map(p => p.gc)).toEqual([...compact.map(p => p.gc)].sort((a, b) => a - b))
  })

  test('leaves short timelines alone, up to the maximum itself, and any timeline under a maximum of 4', () => {
    expect(compactTimeline(points.slice(0, 10), 64)).toEqual(points.slice(0, 10))
    const flat = points.slice(0, 6).map(p => ({ ...p, heap: 1 }))
    expect(compactTimeline(flat, 6)).toEqual(flat)
    expect(compactTimeline(points.slice(0, 10), 3)).toEqual(points.slice(0, 10))
    expect(compactTimeline(flat, 4)).toEqual([flat[0], flat[1], flat[5]])
  })

  test('keeps, in each stretch, the first of the highest and the first of the lowest totals of heap and external, in order', () => {
    const at = (gc: number, heap: number, external = 0): TimelinePoint => ({ gc, phase: 'before-gc', heap, external })
    // Two stretches of 4 between the first and last points. In the first, the highest total (9) is
    // reached twice, once mostly external, and comes before the lowest; in the second, the lowest
    // (0) is reached twice, before the highest.
    const timeline = [at(0, 0), at(1, 3), at(2, 1, 8), at(3, 9), at(4, 1), at(5, 4), at(6, 0), at(7, 0), at(8, 6), at(9, 2)]
    expect(compactTimeline(timeline, 6).map(p => p.gc)).toEqual([0, 2, 4, 6, 8, 9])
    // A flat stretch keeps one point, not the same one twice.
    expect(compactTimeline(timeline.map(p => ({ ...p, heap: 1, external: 0 })), 4).map(p => p.gc)).toEqual([0, 1, 9])
  })
})
