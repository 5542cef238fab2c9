import { buildReport, type CollectedTest, type ReportEnvironment } from '../../src/report/model.js'
import type { TestMemory } from '../../src/worker/test-recorder.js'

export const environment: ReportEnvironment = {
  node: 'v20.20.2',
  v8: '11.3.244.8-node.33',
  vitest: '4.1.12',
  platform: 'linux',
  arch: 'x64',
  workerFlags: ['--expose-gc', '--single-threaded'],
  deterministic: true,
}

export function memory(total: number, overrides: Partial<TestMemory> = {}): TestMemory {
  return {
    attributable: true,
    total,
    heap: total / 4,
    external: (total * 3) / 4,
    rss: total / 2,
    native: total / 8,
    retained: 1_000,
    allocated: total * 2,
    gcCount: 1,
    gcTime: 0.5,
    duration: 12,
    rssMethod: 'kernel',
    baselineGc: 'young',
    retainedGc: 'young',
    retry: 0,
    repeat: 0,
    budget: { limits: {}, patterns: [] },
    violations: [],
    // The peak, at one GC's start, is the total: heap and external at the same instant.
    timeline: [[0, 0, 0], [1, total / 4, (total * 3) / 4], [1, 1_000, 0], [2, 1_000, 0]],
    ...overrides,
  }
}

const budgeted = { limits: { total: { bytes: 100e6, family: 'si' as const, pattern: '**' } }, patterns: ['**'] }

export const sampleTests: CollectedTest[] = [
  { id: 'b-1', project: '', file: 'test/b.test.ts', name: 'light', line: 3, state: 'passed', memory: memory(1e6, { budget: budgeted }) },
  { id: 'a-2', project: '', file: 'test/a.test.ts', name: 'parser > parses a 1 GB file', line: 10, state: 'failed', memory: memory(250e6, {
    budget: budgeted,
    violations: [{ metric: 'total', value: 250e6, limit: budgeted.limits.total }],
  }) },
  { id: 'a-1', project: '', file: 'test/a.test.ts', name: 'parser > reads a header', line: 4, state: 'passed', memory: memory(40e6, { budget: budgeted }) },
  { id: 'c-1', project: '', file: 'test/c.test.ts', name: 'runs alongside', line: 2, state: 'passed', memory: { attributable: false, reason: 'concurrent', retry: 0, repeat: 0, budget: budgeted } },
  { id: 'c-2', project: '', file: 'test/c.test.ts', name: 'crashed worker', line: 9, state: 'failed', memory: undefined },
]

export const sampleReport = buildReport(sampleTests, environment, ['**', 'test/parsr/**'], new Date('2026-11-23T12:00:00Z'))
