import { checkCall, wholeNumber } from './arguments.js'
import { heapAfterGc } from './measure.js'
import type { DomCounts, MemoryProbe } from './probe.js'
import { callRepeatedly } from './repeat.js'
import { parseSize, type SizeInput } from './size.js'

export interface MeasureLeakOptions {
  /** Calls run before the first sample, so caches, compiled code and first-run state are in place (default 100). */
  warmup?: number
  /** Samples taken, each after a batch of calls and full GCs (default 8). */
  iterations?: number
  /** Calls between two samples (default 100). */
  callsPerIteration?: number
  /** Retained bytes per call, growing to the end of the series, above which the function leaks (default 24 B). */
  threshold?: SizeInput
}

/**
 * A string or a small object kept per call is 32 B; the growth that clean code showed at the end of
 * its series, in the benchmark's non-leaks (caches filling, timers, steps), was 15 B a call at most.
 */
export const DEFAULT_LEAK_THRESHOLD = 24

export const LEAK_OPTION_NAMES: ReadonlyArray<keyof MeasureLeakOptions> = ['warmup', 'iterations', 'callsPerIteration', 'threshold']

export interface LeakMeasurement {
  /** Whether the memory kept per call is above the threshold. */
  leaks: boolean
  /**
   * Bytes still reachable per call after full GCs, as long as that growth keeps going: the lowest of
   * the slope over all samples, the growth of the last third and that of the last two batches, with
   * one step (a release or an allocation made once) set aside.
   */
  retainedPerCall: number
  /**
   * Whether retained memory grew by more than the threshold per call over the series, but its last
   * batch by less than half as much: a bounded cache filling looks like this.
   */
  slowing: boolean
  /** Growth of retained memory from the first sample to the last. */
  retainedTotal: number
  /** Calls measured (after the warm-up). */
  calls: number
  threshold: number
  /** Heap + external after full GCs at each sample, compiled code left out, relative to the first. */
  samples: number[]
  /** DOM objects kept per call after full GCs (the slope of their counts); only in a browser. */
  dom?: DomCounts
}

/**
 * DOM objects kept per call above which the function leaks: one every 100 calls. Their counts are
 * exact after a full GC, and a DOM leak can weigh little on the V8 heap (a `window` listener's closure,
 * or detached nodes, which live in Blink's heap).
 */
export const DOM_LEAK_PER_CALL = 0.01

function median(values: readonly number[]): number {
  if (values.length === 0)
    return 0
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * Theil-Sen slope of y over x: the median of the slopes between every two points. A GC that runs
 * late moves one point; a least-squares line would tilt with it.
 */
export function robustSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = []
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[j] !== xs[i])
        slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!))
    }
  }
  return median(slopes)
}

/**
 * How far one batch's growth must stand from the others' (in their own largest deviation from
 * their median) to be taken as a one-off step: a release or an allocation made once.
 */
const STEP_FACTOR = 4

/**
 * The batches' growth with one step set aside: when one batch stands out from all the others, as a
 * 2 MB release in the middle of a steady leak does, it is given the others' median. Most pairs of
 * samples straddle a step, so a slope over them all would follow the step, not the leak. A series
 * with several jumps (a queue flushed every few batches) has no single step and is left as it is.
 */
function setAsideOneStep(growth: readonly number[]): number[] {
  const centre = median(growth)
  let step = 0
  growth.forEach((g, i) => {
    if (Math.abs(g - centre) > Math.abs(growth[step]! - centre))
      step = i
  })
  const others = growth.filter((_, i) => i !== step)
  const usual = median(others)
  const spread = Math.max(...others.map(g => Math.abs(g - usual)))
  return Math.abs(growth[step]! - usual) > STEP_FACTOR * spread ? growth.map((g, i) => (i === step ? usual : g)) : [...growth]
}

export interface LeakTrend {
  /** Growth per sampled call that keeps going to the end of the series. */
  perCall: number
  /** Whether the slope is above `rate` but the last batch grew less than half as much: a cache filling. */
  slowing: boolean
}

/**
 * The growth that keeps going, from samples taken every `callsPerSample` calls: the lowest of the
 * Theil-Sen slope over the whole series, the median growth of its last third (three batches at
 * least), and the growth of its last two batches, with one step set aside. A leak grows at the
 * same rate all the way; a bounded cache that fills during the series stops (its slope is steep,
 * its last batches flat), a queue flushed every few batches has no slope, and a one-off release or
 * allocation is a step, not a rate.
 */
export function sustainedGrowth(samples: readonly number[], callsPerSample: number, rate: number): LeakTrend {
  const growth = setAsideOneStep(samples.slice(1).map((s, i) => s - samples[i]!))
  let level = 0
  const steady = [0, ...growth.map(g => (level += g))]
  const overall = robustSlope(steady.map((_, i) => i * callsPerSample), steady)
  const lastThird = growth.slice(-Math.max(3, Math.ceil(growth.length / 3)))
  const lastTwo = (growth.at(-1)! + growth.at(-2)!) / 2
  const perCall = Math.min(overall, median(lastThird) / callsPerSample, lastTwo / callsPerSample)
  return { perCall, slowing: overall > rate && growth.at(-1)! / callsPerSample < overall / 2 }
}

/**
 * Calls `fn` repeatedly under a probe and measures what stays reachable after full GCs: a function
 * that keeps something per call (a module-level array, a listener never removed) shows as a steady
 * slope to the last batch; a cache that fills (in the warm-up or during the batches) stops growing.
 */
export async function measureLeakWith(probe: MemoryProbe, fn: () => unknown, options: MeasureLeakOptions = {}): Promise<LeakMeasurement> {
  checkCall('measureLeak', fn, options, LEAK_OPTION_NAMES)
  const warmup = wholeNumber(options.warmup, 'warmup', 0, 100)
  const iterations = wholeNumber(options.iterations, 'iterations', 3, 8)
  const callsPerIteration = wholeNumber(options.callsPerIteration, 'callsPerIteration', 1, 100)
  const threshold = options.threshold === undefined ? DEFAULT_LEAK_THRESHOLD : parseSize(options.threshold, 'threshold').bytes

  return probe.exclusive(async () => {
    const sample = async () => {
      const now = await heapAfterGc(probe, 2)
      // Compiled code is left out: V8 optimizes the function and what it calls during the batches, up
      // to 13 kB a batch on Node 24, then stops; a leak is what the function keeps, not its code.
      return { retained: now.heap + now.external - (probe.codeNow?.() ?? 0), dom: await probe.domNow?.() }
    }
    await callRepeatedly(fn, warmup)
    const first = await sample()
    const samples = [first]
    for (let i = 1; i <= iterations; i++) {
      await callRepeatedly(fn, callsPerIteration)
      samples.push(await sample())
    }
    const retained = samples.map(s => s.retained - first.retained)
    const { perCall: retainedPerCall, slowing } = sustainedGrowth(retained, callsPerIteration, threshold)
    const perCall = (count: (dom: DomCounts) => number) => sustainedGrowth(samples.map(s => count(s.dom!)), callsPerIteration, DOM_LEAK_PER_CALL).perCall
    const dom = first.dom && { nodes: perCall(d => d.nodes), documents: perCall(d => d.documents), listeners: perCall(d => d.listeners) }
    const domLeaks = dom !== undefined && Math.max(dom.nodes, dom.documents, dom.listeners) >= DOM_LEAK_PER_CALL
    return {
      leaks: retainedPerCall > threshold || domLeaks,
      retainedPerCall,
      slowing,
      retainedTotal: retained.at(-1)!,
      calls: iterations * callsPerIteration,
      threshold,
      samples: retained,
      ...(dom && { dom }),
    }
  })
}
