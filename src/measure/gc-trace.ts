/**
 * Exact peaks from GC boundaries. V8 heap usage and ArrayBuffer-backed external memory only go down
 * at a garbage collection, so the peak over an interval is the largest of the values just before
 * each GC and the value at the end. No timer involved: synchronous spikes cannot be missed.
 */

/** Heap and external memory at one instant, in bytes. */
export interface HeapPoint {
  heap: number
  external: number
}

/** One garbage collection inside the measured interval. */
export interface GcEvent {
  type: string
  before: HeapPoint
  after: HeapPoint
  /** Time the GC took, in milliseconds. */
  duration: number
}

/** A point of the timeline, relative to the baseline or the floor a GC lowered it to (see {@link summarizeGcTrace}): the state before or after one GC. */
export interface TimelinePoint {
  /** Ordinal of the GC this point belongs to (1-based); 0 is the start, `gcCount + 1` the end. */
  gc: number
  phase: 'start' | 'before-gc' | 'after-gc' | 'end'
  heap: number
  external: number
}

export interface GcTraceSummary {
  peakHeap: number
  peakExternal: number
  /**
   * Largest heap + external at the same instant, not the sum of the two separate peaks, each counted
   * as the peaks are (see {@link summarizeGcTrace}): memory older than the interval that a collection
   * frees inside it (an earlier test's dropped `Buffer`) does not offset what the interval allocated,
   * so `max(peakHeap, peakExternal) <= peakTotal <= peakHeap + peakExternal` (measured before: a
   * test's total read 1.9 kB under its heap while its external, below the baseline, showed 0).
   */
  peakTotal: number
  /** Every byte allocated on the heap and externally during the interval, freed or not. */
  allocated: number
  gcCount: number
  /** Full (mark-compact) collections among them: each may free garbage older than the interval. */
  fullGcCount: number
  /** Milliseconds spent in GC. */
  gcTime: number
  timeline: TimelinePoint[]
}

/** A full collection's type: V8's GCProfiler names it `MarkSweepCompact`, a Chromium trace (src/measure/browser/trace.ts) `mark-compact`. */
const FULL_GC_TYPES = new Set(['MarkSweepCompact', 'mark-compact'])

/** Default number of timeline points kept: enough for a chart, small enough for a JSON report. */
export const TIMELINE_POINTS = 64

/**
 * Reduces a baseline, the GCs in between and the end state to peaks, allocation and a timeline, all
 * relative to the baseline, or, for heap and external each, to the lowest a GC inside the interval
 * took them once it went below it: memory older than the interval that a GC frees inside it is not
 * the interval's, and counting from the baseline would take it off what the interval then allocates
 * (measured on Node 20: a test allocating 246 kB after a GC that took the heap below its baseline
 * read a peak of 0 B).
 */
export function summarizeGcTrace(baseline: HeapPoint, events: readonly GcEvent[], end: HeapPoint, maxTimelinePoints = TIMELINE_POINTS): GcTraceSummary {
  let peakHeap = 0
  let peakExternal = 0
  let peakTotal = 0
  let allocated = 0
  let gcTime = 0
  let previous = baseline
  const floor = { ...baseline }
  const timeline: TimelinePoint[] = [relativePoint(0, 'start', baseline, floor)]

  const observe = (point: HeapPoint) => {
    const heap = Math.max(0, point.heap - floor.heap)
    const external = Math.max(0, point.external - floor.external)
    peakHeap = Math.max(peakHeap, heap)
    peakExternal = Math.max(peakExternal, external)
    peakTotal = Math.max(peakTotal, heap + external)
    // Growth since the last GC is what was allocated in between; a decrease outside a GC (a
    // resizable buffer shrinking) frees without allocating, hence the clamp.
    allocated += Math.max(0, point.heap - previous.heap) + Math.max(0, point.external - previous.external)
  }

  events.forEach((event, index) => {
    observe(event.before)
    gcTime += event.duration
    previous = event.after
    const before = relativePoint(index + 1, 'before-gc', event.before, floor)
    floor.heap = Math.min(floor.heap, event.after.heap)
    floor.external = Math.min(floor.external, event.after.external)
    timeline.push(before, relativePoint(index + 1, 'after-gc', event.after, floor))
  })
  observe(end)
  timeline.push(relativePoint(events.length + 1, 'end', end, floor))

  const fullGcCount = events.filter(event => FULL_GC_TYPES.has(event.type)).length
  return { peakHeap, peakExternal, peakTotal, allocated, gcCount: events.length, fullGcCount, gcTime, timeline: compactTimeline(timeline, maxTimelinePoints) }
}

function relativePoint(gc: number, phase: TimelinePoint['phase'], point: HeapPoint, floor: HeapPoint): TimelinePoint {
  return { gc, phase, heap: point.heap - floor.heap, external: point.external - floor.external }
}

/**
 * Shrinks a timeline to at most `max` points for charts, keeping the first and last points and,
 * in each stretch, the highest and lowest totals, so the peak is always on the chart.
 */
export function compactTimeline(points: readonly TimelinePoint[], max: number): TimelinePoint[] {
  if (points.length <= max || max < 4)
    return [...points]
  const inner = points.slice(1, -1)
  const buckets = Math.floor((max - 2) / 2)
  const kept: TimelinePoint[] = [points[0]!]
  for (let b = 0; b < buckets; b++) {
    // Never empty: there are more than `max - 2` inner points, over 2 per stretch.
    const slice = inner.slice(Math.floor((b * inner.length) / buckets), Math.floor(((b + 1) * inner.length) / buckets))
    const total = (p: TimelinePoint) => p.heap + p.external
    const high = slice.reduce((a, p) => (total(p) > total(a) ? p : a))
    const low = slice.reduce((a, p) => (total(p) < total(a) ? p : a))
    // Keep the two in their original order so the line still runs forward.
    kept.push(...(slice.indexOf(high) <= slice.indexOf(low) ? [high, low] : [low, high]).filter((p, i, pair) => i === 0 || p !== pair[0]))
  }
  kept.push(points[points.length - 1]!)
  return kept
}
