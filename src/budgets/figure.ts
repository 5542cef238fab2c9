import type { MemoryMetrics } from '../measure/metrics.js'
import type { DomCounts } from '../measure/probe.js'
import { formatBytes, type UnitFamily } from '../measure/size.js'
import { type DomBudgetMetric, isDomMetric, type TestBudgetMetric } from './types.js'

const DOM_COUNT: Record<DomBudgetMetric, keyof DomCounts> = { domNodes: 'nodes', domListeners: 'listeners', domDocuments: 'documents' }

/** A test's figure for a budget metric; undefined where it has none (the DOM counts of a Node test). */
export function budgetFigure(record: MemoryMetrics & { dom?: DomCounts }, metric: TestBudgetMetric): number | undefined {
  return isDomMetric(metric) ? record.dom?.[DOM_COUNT[metric]] : record[metric]
}

/** A figure or limit of a budget metric for people: a size, or a count of DOM objects as it is. */
export function formatBudgetValue(metric: TestBudgetMetric, value: number, family: UnitFamily = 'si'): string {
  return isDomMetric(metric) ? String(value) : formatBytes(value, family)
}
