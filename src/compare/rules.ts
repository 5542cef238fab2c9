import { checkOptions, describeValue, isPlainObject } from '../measure/arguments.js'
import { SIZE_METRICS, type SizeMetric } from '../measure/metric-names.js'
import { parseSize, type SizeInput } from '../measure/size.js'

/** Metrics compared with the baseline: every size figure of a test. */
export type RegressionMetric = SizeMetric

export const REGRESSION_METRICS: readonly RegressionMetric[] = SIZE_METRICS
/**
 * RSS is left out by default: the machine moves it, not the code. `native` is in: like heap and
 * external it is counted at each allocation, not read from the kernel (and it is skipped where not measured).
 */
const DEFAULT_METRICS: readonly RegressionMetric[] = SIZE_METRICS.filter(metric => metric !== 'rss')

/** A change counts when it is over `threshold` (a fraction, or a string like '10%') and over `minDelta`. */
export interface RegressionRuleInput {
  threshold?: number | string
  minDelta?: SizeInput
}

export interface RegressionOptions extends RegressionRuleInput {
  /** Per metric: its own rule, or `false` not to compare it. RSS is off unless given a rule here. */
  metrics?: Partial<Record<RegressionMetric, RegressionRuleInput | boolean>>
  /** Fail the run when a test regressed (default false: regressions are reported). */
  failOnRegression?: boolean
  /**
   * Count regressions for `failOnRegression` even when the baseline was measured on another V8 major
   * or with other worker flags (default false: such changes are reported, marked, and do not fail).
   */
  acrossEnvironments?: boolean
}

export interface RegressionRule {
  threshold: number
  minDelta: number
}

export interface RegressionRules {
  metrics: Partial<Record<RegressionMetric, RegressionRule>>
  failOnRegression: boolean
  acrossEnvironments: boolean
}

export const DEFAULT_THRESHOLD = 0.1
/**
 * Below this, a change is noise for a test of any size: the young garbage of the worker's own traffic
 * moves `heap` and `retained` by up to a few hundred kB between identical runs (measured on Node 24).
 */
export const DEFAULT_MIN_DELTA = 1_000_000

const EXPECTED_THRESHOLD = 'Expected a fraction like 0.1 or a percentage like \'10%\''

/**
 * Parses `0.1`, `'10%'` or `'10 %'` into 0.1. A plain number of 1 or more reads like a percentage
 * (`--threshold 5`) and would mean 500%, a rule under which nothing regresses: refused.
 */
export function parseThreshold(input: unknown, what: string): number {
  if (typeof input === 'number' && Number.isFinite(input) && input >= 1)
    throw new TypeError(`Invalid ${what}: ${describeValue(input)}. ${EXPECTED_THRESHOLD}: a plain number is a fraction of the base, so ${input} would be ${input * 100}%. Write '${input}%' for ${input} percent, or '${input * 100}%' to allow that much.`)
  if (typeof input === 'number' && Number.isFinite(input) && input >= 0)
    return input
  if (typeof input === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s?%\s*$/.exec(input)
    if (match && Number.isFinite(Number(match[1])))
      return Number(match[1]) / 100
  }
  throw new TypeError(`Invalid ${what}: ${describeValue(input)}. ${EXPECTED_THRESHOLD}.`)
}

const RULE_OPTIONS = ['threshold', 'minDelta']

function resolveRule(input: RegressionRuleInput, fallback: RegressionRule, where: string): RegressionRule {
  return {
    threshold: input.threshold === undefined ? fallback.threshold : parseThreshold(input.threshold, `${where}threshold`),
    minDelta: input.minDelta === undefined ? fallback.minDelta : parseSize(input.minDelta, `${where}minDelta`).bytes,
  }
}

/** Validates the `regression` option; every error names the setting. */
export function resolveRegressionRules(options: RegressionOptions | undefined): RegressionRules {
  // Only what is left out takes its default: a null is a mistake to report, here and below.
  const input = options === undefined ? {} : options
  if (!isPlainObject(input))
    throw new TypeError(`memoryBudget() option "regression" must be an object like { threshold: '10%', minDelta: '1MB' }, got ${describeValue(input)}.`)
  checkOptions('regression', input, [...RULE_OPTIONS, 'metrics', 'failOnRegression', 'acrossEnvironments'])
  const global = resolveRule(input, { threshold: DEFAULT_THRESHOLD, minDelta: DEFAULT_MIN_DELTA }, 'regression ')
  const perMetric = input.metrics === undefined ? {} : input.metrics
  if (!isPlainObject(perMetric))
    throw new TypeError(`regression.metrics must be an object like { rss: { threshold: '25%' }, heap: false }, got ${describeValue(perMetric)}.`)
  for (const metric of Object.keys(perMetric)) {
    if (!REGRESSION_METRICS.includes(metric as RegressionMetric))
      throw new TypeError(`Unknown metric ${JSON.stringify(metric)} in regression.metrics. Accepted: ${REGRESSION_METRICS.join(', ')}.`)
  }
  const metrics: RegressionRules['metrics'] = {}
  for (const metric of REGRESSION_METRICS) {
    const own = perMetric[metric]
    if (own === false || (own === undefined && !DEFAULT_METRICS.includes(metric)))
      continue
    if (own === undefined || own === true) {
      metrics[metric] = global
      continue
    }
    if (!isPlainObject(own))
      throw new TypeError(`regression.metrics.${metric} must be true, false or an object like { threshold: '25%', minDelta: '1MB' }, got ${describeValue(own)}.`)
    checkOptions(`regression.metrics.${metric}`, own, RULE_OPTIONS)
    metrics[metric] = resolveRule(own, global, `regression.metrics.${metric}.`)
  }
  return { metrics, failOnRegression: flag(input, 'failOnRegression'), acrossEnvironments: flag(input, 'acrossEnvironments') }
}

/** A true-or-false setting of `regression`, false when left out. */
function flag(input: Record<string, unknown>, name: 'failOnRegression' | 'acrossEnvironments'): boolean {
  const value = input[name] === undefined ? false : input[name]
  if (typeof value !== 'boolean')
    throw new TypeError(`regression.${name} must be true or false, got ${describeValue(value)}.`)
  return value
}
