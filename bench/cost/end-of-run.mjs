// The reporter's end-of-run work for a large suite, timed on synthetic records from the built package:
// reading the workers' trails, building the report, comparing with the baseline, the terminal table,
// the JSON and Markdown reports, and writing the updated baseline. The first pass is the figure that
// matters (a reporter does this once per process, before V8 has optimized any of it).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { median, printTable } from './table.mjs'

export const END_OF_RUN_TARGET_MS = 500
const WORKERS = 4

async function loadDist(root) {
  const load = path => import(pathToFileURL(join(root, 'dist', path)).href)
  const [model, files, write, terminal, json, markdown, compare, rules, trail, colors] = await Promise.all([
    load('report/model.js'), load('report/files.js'), load('report/write-atomic.js'), load('render/terminal.js'),
    load('render/json.js'), load('render/markdown.js'), load('compare/compare.js'), load('compare/rules.js'), load('worker/trail.js'), import('tinyrainbow'),
  ])
  return { ...model, ...files, ...write, ...terminal, ...json, ...markdown, ...compare, ...rules, ...trail, colors: colors.default }
}

/** A test's record as a worker sends it: sizes spread over four orders of magnitude, one in 50 over budget. */
function syntheticMemory(i) {
  const total = 1e4 * (1 + (i * 7919) % 1000) * (i % 10 === 0 ? 100 : 1)
  const limit = { bytes: 50e6, family: 'si', pattern: '**' }
  const metrics = { total, heap: total * 0.7, external: total * 0.3, rss: total * 1.2, retained: (i % 13) * 1e3, allocated: total * 3, gcCount: i % 5, gcTime: (i % 5) * 0.4, duration: 1 + (i % 17) }
  const overBudget = i % 50 === 0
  return {
    attributable: true,
    ...metrics,
    rssMethod: 'kernel',
    baselineGc: i % 100 === 0 ? 'full' : 'young',
    retainedGc: 'young',
    retry: 0,
    repeat: 0,
    budget: { limits: { total: overBudget ? { ...limit, bytes: total / 2 } : limit }, patterns: ['**'] },
    violations: overBudget ? [{ metric: 'total', value: total, limit: { ...limit, bytes: total / 2 } }] : [],
  }
}

export function syntheticTests(count) {
  return Array.from({ length: count }, (_, i) => ({
    id: `id-${i}`,
    project: i % 3 === 0 ? 'runtime' : 'unit',
    file: `packages/pkg-${i % 40}/src/module-${i % 400}.test.ts`,
    name: `suite ${i % 25} > handles case ${i}`,
    line: 1 + (i % 300),
    state: i % 50 === 0 ? 'failed' : 'passed',
    memory: syntheticMemory(i),
  }))
}

/** Trails as WORKERS workers leave them, and a baseline in which one test in 20 used half the memory. */
function writeInputs(dir, dist, tests) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'trails'), { recursive: true })
  for (let w = 0; w < WORKERS; w++) {
    const lines = tests.filter((_, i) => i % WORKERS === w).flatMap(t => [
      JSON.stringify({ event: 'start', id: t.id, memory: { heap: 1e7, external: 1e6, rss: 5e7, heapLimit: 4e9 } }),
      JSON.stringify({ event: 'finish', id: t.id, memory: t.memory }),
    ])
    writeFileSync(join(dir, 'trails', `${1000 + w}.jsonl`), `${lines.join('\n')}\n`)
  }
  const figures = Object.fromEntries(tests.map((t, i) => [dist.testKey(t), dist.comparedMetrics(i % 20 === 0 ? { ...t.memory, total: t.memory.total / 2 } : t.memory)]))
  writeFileSync(join(dir, 'memory-baseline.json'), dist.serializeBaseline(figures))
}

const ENVIRONMENT = { node: process.version, vitest: '4.1.12', platform: process.platform, arch: process.arch, workerFlags: ['--expose-gc'], deterministic: true }

/** One pass of what MemoryReporter.onTestRunEnd does, step by step, in ms. */
function endOfRun(dir, dist, tests) {
  const steps = {}
  const time = (name, fn) => {
    const started = performance.now()
    const result = fn()
    steps[name] = performance.now() - started
    return result
  }
  const trails = time('read trails', () => dist.readTrails(join(dir, 'trails')))
  const collected = tests.map(t => ({ ...t, memory: trails.get(t.id)?.finished }))
  const report = time('build report', () => dist.buildReport(collected, ENVIRONMENT, ['**'], new Date()))
  const baselinePath = join(dir, 'memory-baseline.json')
  const rules = dist.resolveRegressionRules(undefined)
  const previous = time('read baseline', () => dist.readBaseline(baselinePath))
  const compared = time('compare with baseline', () => dist.compareReport(report, previous.tests, dist.testKey, rules))
  time('terminal table', () => dist.renderTerminalSummary(compared, { top: 10, colors: dist.colors, comparedWith: 'memory-baseline.json' }))
  time('JSON report + write', () => dist.writeFileAtomic(join(dir, 'memory.json'), dist.renderJsonReport(compared)))
  time('Markdown report + write', () => dist.writeFileAtomic(join(dir, 'memory.md'), dist.renderMarkdownReport(compared)))
  time('baseline update + write', () => {
    const measured = Object.fromEntries(compared.tests.filter(t => t.metrics).map(t => [dist.testKey(t), dist.comparedMetrics(t.metrics)]))
    const next = dist.updateBaseline(previous, { measured, present: new Set(tests.map(dist.testKey)), fullRun: true, mode: 'all' })
    dist.writeFileAtomic(baselinePath, dist.serializeBaseline(next))
  })
  return steps
}

/** The first pass (cold) and the median of `passes` more, per step, for `count` tests. */
export async function measureEndOfRun(root, dir, count = 10_000, passes = 4) {
  const dist = await loadDist(root)
  const tests = syntheticTests(count)
  writeInputs(dir, dist, tests)
  const cold = endOfRun(dir, dist, tests)
  const warm = Array.from({ length: passes }, () => endOfRun(dir, dist, tests))
  return { count, cold, warm: Object.fromEntries(Object.keys(cold).map(step => [step, median(warm.map(w => w[step]))])) }
}

export function printEndOfRun({ count, cold, warm }) {
  const sum = steps => Object.values(steps).reduce((a, b) => a + b, 0)
  const rows = Object.keys(cold).map(step => [step, cold[step].toFixed(1), warm[step].toFixed(1)])
  rows.push([`total${sum(cold) > END_OF_RUN_TARGET_MS ? '  (over target)' : ''}`, sum(cold).toFixed(1), sum(warm).toFixed(1)])
  printTable(`End-of-run work for ${count.toLocaleString('en')} tests (target < ${END_OF_RUN_TARGET_MS} ms, first pass)`, ['step', 'first pass ms', 'later ms'], rows)
}
