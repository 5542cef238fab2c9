// The reporter's end-of-run work for a large suite, timed on synthetic tests from the built package:
// MemoryReporter.onTestRunEnd itself, given Vitest's objects reduced to what it reads, in a CI run
// that updates the baseline (`vitest -u`) and writes the JSON and Markdown reports: building the
// report, comparing with the baseline, the terminal table, the reports, the GitHub annotations and
// step summary, and writing the baseline, each file atomically. The workers' trails are written too,
// but the reporter reads them only when a worker died: the breakdown times that apart. Vitest's
// own share (globbing the test files to tell a full run from a partial one) is left out. The first
// pass is the figure that matters (a reporter does this once per process, before V8 has optimized any
// of it). A breakdown by step, from calling the same functions after those passes, shows where it goes.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { median, printTable } from './table.mjs'

export const END_OF_RUN_TARGET_MS = 500
const WORKERS = 4

/** The reporter's modules as the package builds them (bundled), from this checkout's sources. */
async function loadDist(root) {
  const { build } = await import('rolldown')
  // Inside the repository, so the bundle's bare imports (tinyrainbow, picomatch) resolve.
  mkdirSync(join(root, 'bench/.work'), { recursive: true })
  const dir = mkdtempSync(join(root, 'bench/.work/end-of-run-modules-'))
  try {
    await build({
      cwd: root,
      input: join(root, 'bench/cost/end-of-run-modules.ts'),
      platform: 'node',
      external: id => !id.startsWith('.') && !isAbsolute(id),
      logLevel: 'warn',
      output: { dir, format: 'esm', entryFileNames: 'modules.js' },
    })
    const [modules, colors] = await Promise.all([import(pathToFileURL(join(dir, 'modules.js')).href), import('tinyrainbow')])
    return { ...modules, colors: colors.default }
  }
  finally {
    rmSync(dir, { recursive: true, force: true })
  }
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
  const figures = new Map(tests.map((t, i) => [dist.testKey(t), dist.comparedMetrics(i % 20 === 0 ? { ...t.memory, total: t.memory.total / 2 } : t.memory)]))
  writeFileSync(join(dir, 'memory-baseline.json'), dist.serializeBaseline(figures))
}

/** Vitest's test modules as the reporter reads them, one a file and project. */
function testModules(dir, tests) {
  const modules = new Map()
  for (const t of tests) {
    const key = `${t.project}\0${t.file}`
    if (!modules.has(key))
      modules.set(key, { moduleId: join(dir, t.file), project: { name: t.project, config: { browser: { enabled: false } } }, tests: [] })
    const module = modules.get(key)
    module.tests.push({
      id: t.id,
      fullName: t.name,
      project: module.project,
      location: { line: t.line, column: 1 },
      result: () => ({ state: t.state }),
      meta: () => ({ memory: t.memory }),
    })
  }
  return [...modules.values()].map(module => ({ ...module, children: { allTests: () => module.tests[Symbol.iterator]() } }))
}

function reporterOptions(dist, dir) {
  return {
    top: 10,
    silent: false,
    outputFile: 'memory.json',
    markdown: 'memory.md',
    baseline: 'memory-baseline.json',
    regression: dist.resolveRegressionRules(undefined),
    budgetPatterns: ['**'],
    deterministic: true,
    workerFlags: ['--expose-gc'],
    trailDirectory: join(dir, 'trails'),
  }
}

/** Runs `fn` as on GitHub Actions, where the reporter also annotates and appends the step summary. */
async function onGitHubActions(dir, fn) {
  const saved = { GITHUB_ACTIONS: process.env.GITHUB_ACTIONS, GITHUB_STEP_SUMMARY: process.env.GITHUB_STEP_SUMMARY }
  Object.assign(process.env, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(dir, 'step-summary.md') })
  try {
    return await fn()
  }
  finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined)
        delete process.env[name]
      else
        process.env[name] = value
    }
  }
}

/**
 * One `vitest -u` run's end on the CI: MemoryReporter.onTestRunEnd, wall and CPU ms (the CPU time of
 * this process, which other processes on a busy machine do not inflate as they do the wall time).
 */
async function reporterPass(dir, dist, tests, modules) {
  const specifications = modules.map(module => ({ project: module.project, moduleId: module.moduleId }))
  const vitest = {
    config: { root: dir, update: true, reporters: [] },
    version: '4.1.12',
    logger: { log: () => {}, error: () => {} },
    globTestSpecifications: async () => specifications,
  }
  writeInputs(dir, dist, tests)
  const reporter = new dist.MemoryReporter(reporterOptions(dist, dir))
  reporter.onInit(vitest)
  return onGitHubActions(dir, async () => {
    const started = performance.now()
    const cpu = process.cpuUsage()
    await reporter.onTestRunEnd(modules)
    const { user, system } = process.cpuUsage(cpu)
    return { wall: performance.now() - started, cpu: (user + system) / 1000 }
  })
}

const ENVIRONMENT = { node: process.version, vitest: '4.1.12', platform: process.platform, arch: process.arch, workerFlags: ['--expose-gc'], deterministic: true }

/** The steps of a reporter pass, each through the function the reporter calls for it, in ms. */
function stepsPass(dir, dist, tests, modules) {
  writeInputs(dir, dist, tests)
  const steps = {}
  const time = (name, fn) => {
    const started = performance.now()
    const result = fn()
    steps[name] = performance.now() - started
    return result
  }
  const options = reporterOptions(dist, dir)
  // The reporter reads the trails only when a worker died; timed here all the same, as that run's extra.
  const trails = time('read trails (a worker died)', () => dist.readTrails(options.trailDirectory))
  const everyTest = time('collect tests', () => dist.collectTests(modules, dir, () => trails))
  const report = time('build report', () => dist.buildReport(everyTest.filter(t => t.state !== 'skipped'), ENVIRONMENT, options.budgetPatterns, new Date()))
  const baselinePath = join(dir, options.baseline)
  const previous = time('read baseline', () => dist.readBaseline(baselinePath))
  const compared = time('compare with baseline', () => dist.compareReport(report, previous.tests, dist.testKey, options.regression))
  time('terminal table', () => dist.renderTerminalSummary(compared, { top: options.top, colors: dist.colors, comparedWith: options.baseline }))
  time('JSON report + write', () => dist.writeFileAtomic(join(dir, options.outputFile), dist.renderJsonReport(compared)))
  time('Markdown report + write', () => dist.writeFileAtomic(join(dir, options.markdown), dist.renderMarkdownReport(compared)))
  time('GitHub annotations', () => dist.renderAnnotations(compared, file => dist.toPosix(relative(process.cwd(), resolve(dir, file)))))
  time('baseline update + write', () => {
    const measured = new Map(compared.tests.filter(t => t.metrics).map(t => [dist.testKey(t), dist.comparedMetrics(t.metrics)]))
    const next = dist.updateBaseline(previous, { measured, present: new Set(everyTest.map(dist.testKey)), fullRun: true, mode: 'all' })
    dist.writeFileAtomic(baselinePath, dist.serializeBaseline(next))
  })
  return steps
}

/**
 * The reporter's first pass (cold) and the median of `passes` more, for `count` tests; then the
 * median time of each step over `passes` passes of the steps alone.
 */
export async function measureEndOfRun(root, dir, count = 10_000, passes = 4) {
  const dist = await loadDist(root)
  const tests = syntheticTests(count)
  const modules = testModules(dir, tests)
  const reporter = []
  for (let pass = 0; pass <= passes; pass++) reporter.push(await reporterPass(dir, dist, tests, modules))
  const steps = Array.from({ length: passes }, () => stepsPass(dir, dist, tests, modules))
  const later = reporter.slice(1)
  return {
    count,
    first: reporter[0],
    later: { wall: median(later.map(pass => pass.wall)), cpu: median(later.map(pass => pass.cpu)) },
    steps: Object.fromEntries(Object.keys(steps[0]).map(step => [step, median(steps.map(s => s[step]))])),
  }
}

export function printEndOfRun({ count, first, later, steps }) {
  const over = first.wall > END_OF_RUN_TARGET_MS ? '  (over target)' : ''
  printTable(`End-of-run work for ${count.toLocaleString('en')} tests (target < ${END_OF_RUN_TARGET_MS} ms, first pass)`, ['MemoryReporter.onTestRunEnd', 'wall ms', 'CPU ms'], [
    [`first pass${over}`, first.wall.toFixed(1), first.cpu.toFixed(1)],
    ['later passes (median)', later.wall.toFixed(1), later.cpu.toFixed(1)],
  ])
  const rows = Object.entries(steps).map(([step, ms]) => [step, ms.toFixed(1)])
  rows.push(['sum', Object.values(steps).reduce((a, b) => a + b, 0).toFixed(1)])
  printTable('Where it goes (each step alone, median of later passes)', ['step', 'ms'], rows)
}
