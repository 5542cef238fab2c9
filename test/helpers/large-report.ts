import { resolveRegressionRules } from '../../src/compare/rules.js'
import { testKey } from '../../src/report/files.js'
import { buildReport, type CollectedTest, compareReport, type MemoryReport } from '../../src/report/model.js'
import type { CompactTimeline } from '../../src/worker/test-recorder.js'
import { random } from './fuzz.js'
import { environment, memory } from './sample-report.js'

const MB = 1e6
const budget = { limits: { total: { bytes: 60 * MB, family: 'si' as const, pattern: 'test/**' } }, patterns: ['test/**'] }

/**
 * A sawtooth of `gcs` collections up to `peak`, as the recorder writes it: start, before and after
 * each GC, end; at most 64 points, as the recorder caps it.
 */
export function sawtooth(gcs: number, peak: number): CompactTimeline {
  const points: CompactTimeline = [[0, 0, 0]]
  const shown = Math.min(gcs, 31)
  for (let gc = 1; gc <= shown; gc++) {
    const height = Math.round((peak * gc) / shown)
    const heap = Math.round(height / 4)
    points.push([gc, heap, height - heap], [gc, Math.round(height * 0.1), Math.round(height * 0.05)])
  }
  points.push([shown + 1, Math.round(peak * 0.05), 0])
  return points
}

/**
 * A report of `count` tests in files of 20, measured, some over budget, all compared with a baseline
 * that differs for one in ten. Timelines as suites have them: most tests run no GC or a few, one in
 * twenty runs enough to fill all 64 points.
 */
export function largeReport(count: number, seed = 1): MemoryReport {
  const next = random(seed)
  const tests: CollectedTest[] = Array.from({ length: count }, (_, i) => {
    const total = Math.round(next() ** 4 * 80 * MB) + 10_000
    const gcs = i % 20 === 0 ? 40 : Math.floor(next() * 4)
    const over = total > budget.limits.total.bytes
    return {
      id: `t-${i}`,
      project: '',
      file: `test/area-${Math.floor(i / 400)}/module-${Math.floor(i / 20)}.test.ts`,
      name: `module ${Math.floor(i / 20)} > case ${i} handles input of size ${i % 97}`,
      line: (i % 20) * 7 + 3,
      state: over ? 'failed' : 'passed',
      memory: memory(total, {
        budget,
        violations: over ? [{ metric: 'total', value: total, limit: budget.limits.total }] : [],
        gcCount: gcs,
        timeline: sawtooth(gcs, total),
      }),
    }
  })
  const report = buildReport(tests, environment, ['test/**'], new Date('2026-11-30T12:00:00Z'))
  const base = Object.fromEntries(report.tests.map((t, i) => {
    const total = t.metrics!.total * (i % 10 === 0 ? 0.6 + next() * 0.8 : 1)
    return [testKey(t), { total: Math.round(total), heap: Math.round(t.metrics!.heap), external: Math.round(t.metrics!.external), rss: Math.round(t.metrics!.rss), retained: 1_000, allocated: Math.round(t.metrics!.allocated) }]
  }))
  return compareReport(report, base, testKey, resolveRegressionRules(undefined))
}
