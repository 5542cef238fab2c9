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
  /** Retained bytes per call above which the function leaks (default 256 B). */
  threshold?: SizeInput
}

export const LEAK_OPTION_NAMES: ReadonlyArray<keyof MeasureLeakOptions> = ['warmup', 'iterations', 'callsPerIteration', 'threshold']

export interface LeakMeasurement {
  /** Whether the memory kept per call is above the threshold. */
  leaks: boolean
  /** Bytes still reachable per call after full GCs: the slope of retained memory over calls. */
  retainedPerCall: number
  /** Growth of retained memory from the first sample to the last. */
  retainedTotal: number
  /** Calls measured (after the warm-up). */
  calls: number
  threshold: number
  /** Heap + external after full GCs at each sample, relative to the first. */
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

/**
 * Theil-Sen slope of y over x: the median of the slopes between every two points. A GC that runs
 * late, or a cache filled at one sample, moves one point; a least-squares line would tilt with it.
 */
export function robustSlope(xs: readonly number[], ys: readonly number[]): number {
  const slopes: number[] = []
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      if (xs[j] !== xs[i])
        slopes.push((ys[j]! - ys[i]!) / (xs[j]! - xs[i]!))
    }
  }
  if (slopes.length === 0)
    return 0
  slopes.sort((a, b) => a - b)
  const middle = slopes.length >> 1
  return slopes.length % 2 ? slopes[middle]! : (slopes[middle - 1]! + slopes[middle]!) / 2
}

/**
 * Calls `fn` repeatedly under a probe and measures what stays reachable after full GCs: a function
 * that keeps something per call (a module-level array, a listener never removed) shows as a steady
 * slope; caches and compiled code fill up during the warm-up and then stay flat.
 */
export async function measureLeakWith(probe: MemoryProbe, fn: () => unknown, options: MeasureLeakOptions = {}): Promise<LeakMeasurement> {
  checkCall('measureLeak', fn, options, LEAK_OPTION_NAMES)
  const warmup = wholeNumber(options.warmup, 'warmup', 0, 100)
  const iterations = wholeNumber(options.iterations, 'iterations', 3, 8)
  const callsPerIteration = wholeNumber(options.callsPerIteration, 'callsPerIteration', 1, 100)
  const threshold = options.threshold === undefined ? 256 : parseSize(options.threshold, 'threshold').bytes

  return probe.exclusive(async () => {
    const sample = async () => {
      const now = await heapAfterGc(probe, 2)
      return { retained: now.heap + now.external, dom: await probe.domNow?.() }
    }
    await callRepeatedly(fn, warmup)
    const first = await sample()
    const calls: number[] = [0]
    const samples = [first]
    for (let i = 1; i <= iterations; i++) {
      await callRepeatedly(fn, callsPerIteration)
      calls.push(i * callsPerIteration)
      samples.push(await sample())
    }
    const retained = samples.map(s => s.retained - first.retained)
    const retainedPerCall = robustSlope(calls, retained)
    const perCall = (count: (dom: DomCounts) => number) => robustSlope(calls, samples.map(s => count(s.dom!)))
    const dom = first.dom && { nodes: perCall(d => d.nodes), documents: perCall(d => d.documents), listeners: perCall(d => d.listeners) }
    const domLeaks = dom !== undefined && Math.max(dom.nodes, dom.documents, dom.listeners) >= DOM_LEAK_PER_CALL
    return {
      leaks: retainedPerCall > threshold || domLeaks,
      retainedPerCall,
      retainedTotal: retained.at(-1)!,
      calls: iterations * callsPerIteration,
      threshold,
      samples: retained,
      ...(dom && { dom }),
    }
  })
}
