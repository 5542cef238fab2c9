import type { HeapProfile } from '../measure/allocation-sites.js'
import { checkOptions, describeValue } from '../measure/arguments.js'
import { measureWith } from '../measure/measure.js'
import type { MemoryMetrics } from '../measure/metrics.js'
import type { MemoryProbe } from '../measure/probe.js'
import { parseSize, type SizeInput } from '../measure/size.js'
import type { ProfiledTask } from '../worker/heap-profiles.js'
import { BUDGET_METRICS, type BudgetMetric, formatBudgetFailure } from './failure-message.js'

export interface StayUnderOptions {
  /** Which peak the budget holds (default `total`: heap + external, the memory the code asked for). */
  metric?: BudgetMetric
}

/** What a matcher needs from Vitest's matcher context; kept structural so this layer imports nothing from Vitest. */
export interface MatcherContext {
  isNot?: boolean
  /** The running test (Vitest sets it inside a test). */
  task?: ProfiledTask
}

/** Keeps the heap profile of a failing call where the user asked (the plugin's `profiles`); returns where, if it did. */
export type KeepHeapProfile = (profile: HeapProfile, context: MatcherContext) => string | undefined

export interface MatcherResult {
  pass: boolean
  message: () => string
}

/** Describes what was passed in place of the function, for errors. */
export function describeReceived(received: unknown): string {
  if (received === null)
    return 'null'
  if (received instanceof Promise)
    return 'a Promise (the work had already started; pass a function so the measurement starts first)'
  return typeof received === 'object' ? `an ${Array.isArray(received) ? 'array' : 'object'}` : `a ${typeof received}`
}

export function assertFunction(received: unknown, matcher: string): asserts received is () => unknown {
  if (typeof received !== 'function')
    throw new TypeError(`${matcher}() expects a function to run and measure, e.g. expect(() => parse(file)).${matcher}('300MB'); got ${describeReceived(received)}.`)
}

export function parseStayUnderOptions(options: unknown): Required<StayUnderOptions> {
  if (options === undefined)
    return { metric: 'total' }
  checkOptions('toStayUnder()', options, ['metric'])
  const { metric = 'total' } = options as StayUnderOptions
  if (!BUDGET_METRICS.includes(metric))
    throw new TypeError(`Invalid metric: ${describeValue(metric)}. Expected one of ${BUDGET_METRICS.map(m => `'${m}'`).join(', ')}.`)
  return { metric }
}

/**
 * `await expect(fn).toStayUnder('300MB', { metric })` measured by `probe`: runs `fn` once and passes
 * when the peak of the metric stays at or below the budget.
 */
export function createToStayUnder(probe: MemoryProbe, keepProfile?: KeepHeapProfile) {
  return async function toStayUnder(this: MatcherContext, received: unknown, budget: SizeInput, options?: StayUnderOptions): Promise<MatcherResult> {
    assertFunction(received, 'toStayUnder')
    const { bytes, family } = parseSize(budget, 'budget')
    const { metric } = parseStayUnderOptions(options)
    if (metric === 'rss' && !probe.measuresRss)
      throw new TypeError('toStayUnder(): the rss metric is not measured in a browser page; use total, heap or external.')
    const noNative = metric === 'native' ? probe.nativeUnavailable() : undefined
    // Measured, NaN would compare false and pass or fail by accident (`.not` would pass).
    if (noNative !== undefined)
      throw new TypeError(`toStayUnder(): the native metric is not measured here: ${noNative}.`)
    const negated = Boolean(this.isNot)
    // The retained memory and allocation sites only appear in a failure message; a passing call skips reading them.
    const fails = (metrics: MemoryMetrics) => (metrics[metric] <= bytes) === negated
    let profile: HeapProfile | undefined
    const measurement = await probe.exclusive(() => measureWith(probe, received, { allocationSites: true, onHeapProfile: (read) => { profile = read } }, fails))
    // The profile is read only for a failing call, the one whose sites the message shows.
    const profilePath = profile && keepProfile?.(profile, this)
    return {
      pass: measurement[metric] <= bytes,
      // No actual/expected: Vitest would print them as a diff of two byte counts, which says less than the message.
      message: () => formatBudgetFailure({ metric, budget: bytes, family, negated, measurement, profilePath }),
    }
  }
}
