import { checkCall, wholeNumber } from './arguments.js'
import { getGc } from './gc.js'
import { runExclusive } from './measure-memory.js'
import { callRepeatedly } from './repeat.js'
import { parseSize, type SizeInput } from './size.js'
import { heapNow } from './window.js'

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
}

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
 * Calls `fn` repeatedly and measures what stays reachable after full GCs: a function that keeps
 * something per call (a module-level array, a listener never removed) shows as a steady slope;
 * caches and compiled code fill up during the warm-up and then stay flat.
 */
export async function measureLeak(fn: () => unknown, options: MeasureLeakOptions = {}): Promise<LeakMeasurement> {
  checkCall('measureLeak', fn, options, LEAK_OPTION_NAMES)
  const warmup = wholeNumber(options.warmup, 'warmup', 0, 100)
  const iterations = wholeNumber(options.iterations, 'iterations', 3, 8)
  const callsPerIteration = wholeNumber(options.callsPerIteration, 'callsPerIteration', 1, 100)
  const threshold = options.threshold === undefined ? 256 : parseSize(options.threshold, 'threshold').bytes

  return runExclusive(async () => {
    const gc = getGc()
    const retainedNow = () => {
      gc()
      gc()
      const now = heapNow()
      return now.heap + now.external
    }
    await callRepeatedly(fn, warmup)
    const first = retainedNow()
    const calls: number[] = [0]
    const samples: number[] = [0]
    for (let i = 1; i <= iterations; i++) {
      await callRepeatedly(fn, callsPerIteration)
      calls.push(i * callsPerIteration)
      samples.push(retainedNow() - first)
    }
    const retainedPerCall = robustSlope(calls, samples)
    return { leaks: retainedPerCall > threshold, retainedPerCall, retainedTotal: samples.at(-1)!, calls: iterations * callsPerIteration, threshold, samples }
  })
}
