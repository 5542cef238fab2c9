import type { AllocationSite } from '../measure/allocation-sites.js'
import type { MemoryMeasurement, MemoryMetrics } from '../measure/measure-memory.js'
import { SIZE_METRICS, type SizeMetric } from '../measure/metric-names.js'
import type { DomCounts } from '../measure/probe.js'
import type { RssMethod } from '../measure/rss.js'
import { formatBudgetValue } from '../budgets/figure.js'
import { isDomMetric, type TestBudgetMetric } from '../budgets/types.js'
import type { TestMemory } from '../worker/test-recorder.js'
import { formatBytes, type UnitFamily } from '../measure/size.js'

/** The metrics a budget can hold a call to: its peaks (`retained` and `allocated` are not a call's peak). */
export type BudgetMetric = Exclude<SizeMetric, 'retained' | 'allocated'>

export const BUDGET_METRICS: readonly BudgetMetric[] = SIZE_METRICS.filter((metric): metric is BudgetMetric => metric !== 'retained' && metric !== 'allocated')

const METRIC_LABELS: Record<BudgetMetric, string> = {
  total: 'peak memory (heap + external)',
  heap: 'V8 heap',
  external: 'external memory (ArrayBuffer, Buffer)',
  rss: 'resident memory (RSS)',
  native: 'native memory (C heap: malloc, C++ new)',
}

export interface BudgetOutcome {
  metric: BudgetMetric
  budget: number
  /** The unit family the budget was written in; figures are printed in it. */
  family: UnitFamily
  /** True for `.not`: the call was expected to exceed the budget. */
  negated: boolean
  measurement: MemoryMeasurement<RssMethod>
  /** The heap profile written for this failure, relative to the root. */
  profilePath?: string
}

/** Allocation sites shown in a failure: enough to point at the culprit, few enough to fit a terminal. */
export const SITES_SHOWN = 5

/** The failure message of a memory budget: verdict, every metric, and where the memory was allocated. */
export function formatBudgetFailure(outcome: BudgetOutcome): string {
  const { metric, budget, family, negated, measurement: m, profilePath } = outcome
  const size = (bytes: number) => formatBytes(bytes, family)
  const value = m[metric]
  const verdict = negated
    ? `expected the function to exceed ${size(budget)} of ${METRIC_LABELS[metric]}, but its peak was ${size(value)}`
    : `expected the function to stay under ${size(budget)} of ${METRIC_LABELS[metric]}, but its peak was ${size(value)} (${size(value - budget)} over)`

  return [verdict, '', ...formatMetricsTable(m, family, [metric]), '', ...formatSites(m.allocationSites, family), ...profileLine(profilePath)].join('\n').trimEnd()
}

/** Where the heap profile of a failure was written, and what opens it. */
function profileLine(path: string | undefined): string[] {
  return path === undefined ? [] : ['', `Heap profile: ${path} (Chrome DevTools: Memory, Load profile; or speedscope)`]
}

/** Memory figures of one run, one per line, the ones that broke a budget marked with `>`. */
export function formatMetricsTable(m: MemoryMetrics & { rssMethod: RssMethod, dom?: DomCounts }, family: UnitFamily, marked: readonly string[], retainedNote = 'still held after a full GC', domNote = 'at the end, before any GC'): string[] {
  const size = (bytes: number) => formatBytes(bytes, family)
  const signed = (count: number) => `${count > 0 ? '+' : ''}${count}`
  const rows: Array<[string, string, string]> = [
    ['total', size(m.total), 'peak of heap + external'],
    ['heap', size(m.heap), 'peak of the V8 heap'],
    ['external', size(m.external), 'peak of ArrayBuffer/Buffer memory'],
    m.rssMethod === 'none'
      ? ['rss', '-', 'not measured in a browser page']
      : ['rss', size(m.rss), `peak resident memory (${m.rssMethod === 'kernel' ? 'kernel high-water mark' : 'sampled'})`],
    Number.isNaN(m.native)
      ? ['native', '-', 'C heap not measured here']
      : ['native', size(m.native), 'peak of the C heap (malloc, C++ new; Buffer contents too)'],
    ['retained', size(m.retained), retainedNote],
    ['allocated', size(m.allocated), `in total, ${m.gcCount} GC${m.gcCount === 1 ? '' : 's'} (${m.gcTime.toFixed(1)} ms), took ${m.duration.toFixed(1)} ms`],
    ...(m.dom ? [['dom', `${signed(m.dom.nodes)} nodes`, `${signed(m.dom.listeners)} listeners, ${signed(m.dom.documents)} documents ${domNote}`] satisfies [string, string, string]] : []),
  ]
  const valueWidth = Math.max(...rows.map(r => r[1].length))
  return rows.map(([name, figure, note]) => `  ${(marked.includes(name) ? '> ' : '  ') + name.padEnd(10)}${figure.padStart(valueWidth)}  ${note}`)
}

function formatSites(sites: readonly AllocationSite[], family: UnitFamily): string[] {
  if (sites.length === 0)
    return []
  const shown = sites.slice(0, SITES_SHOWN)
  const figures = shown.map(s => formatBytes(s.bytes, family))
  const figureWidth = Math.max(...figures.map(f => f.length))
  const nameWidth = Math.max(...shown.map(s => s.functionName.length))
  return [
    'Top allocation sites (V8 heap, sampled; Buffer/ArrayBuffer contents are external and show as small wrappers):',
    ...shown.map((s, i) => `  ${figures[i]!.padStart(figureWidth)}  ${s.functionName.padEnd(nameWidth)}  ${s.file ? `${s.file}:${s.line}` : '(native)'}`),
  ]
}

const BUDGET_LABELS: Record<TestBudgetMetric, string> = {
  ...METRIC_LABELS,
  retained: 'retained memory',
  domNodes: 'DOM nodes kept',
  domListeners: 'event listeners kept',
  domDocuments: 'documents kept',
}

/** The failure of a test over its configured budget: which limits it broke, set by which pattern, and its figures. */
const RETAINED_AFTER = {
  full: 'still held at the end, after a full GC',
  young: 'still held at the end, at most (garbage the test promoted included)',
  none: 'grown since the last GC (under 256 KiB, garbage included)',
} as const

export function formatTestBudgetFailure(record: TestMemory, profilePath?: string): string {
  const family = record.violations[0]?.limit.family ?? 'si'
  const broken = record.violations.map(v =>
    `${BUDGET_LABELS[v.metric]} ${formatBudgetValue(v.metric, v.value, family)} is over the ${formatBudgetValue(v.metric, v.limit.bytes, family)} budget of ${JSON.stringify(v.limit.pattern)}`)
  // The table's row of a DOM count is `dom`.
  const marked = record.violations.map(v => (isDomMetric(v.metric) ? 'dom' : v.metric))
  return [
    `Memory budget exceeded: ${broken.join('; ')}.`,
    '',
    ...formatMetricsTable(record, family, marked, RETAINED_AFTER[record.retainedGc], 'kept at the end, after a full GC'),
    '',
    'Budgets are set in memoryBudget({ budgets }) in the Vitest config.',
    ...profileLine(profilePath),
  ].join('\n')
}
