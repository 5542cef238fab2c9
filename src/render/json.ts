import type { MemoryReport } from '../report/model.js'

/** The JSON report: two-space indented, keys in the model's order, so files diff line by line. */
export function renderJsonReport(report: MemoryReport): string {
  return `${JSON.stringify(report, null, 2)}\n`
}
