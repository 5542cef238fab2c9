import { appendFileSync } from 'node:fs'
import { relative, resolve, sep } from 'node:path'
import c from 'tinyrainbow'
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node'
import { comparedMetrics } from '../compare/compare.js'
import type { RegressionRules } from '../compare/rules.js'
import { type Baseline, readBaseline, ReportFileError, serializeBaseline, testKey, updateBaseline } from '../report/files.js'
import { buildReport, type CollectedTest, compareReport, type MemoryReport, type ReportEnvironment, type UnmeasuredProject } from '../report/model.js'
import { writeFileAtomic } from '../report/write-atomic.js'
import { renderAnnotations } from '../render/github.js'
import { renderJsonReport } from '../render/json.js'
import { renderMarkdownReport } from '../render/markdown.js'
import { renderTerminalSummary } from '../render/terminal.js'
import { clearTrails, readTrails, type TrailRecord } from '../worker/trail-directory.js'
import { readTestMemory } from '../worker/types.js'

export interface MemoryReporterOptions {
  top: number
  silent: boolean
  outputFile: string | undefined
  markdown: string | undefined
  baseline: string | undefined
  regression: RegressionRules
  budgetPatterns: readonly string[]
  deterministic: boolean
  workerFlags: readonly string[]
  /** Where the workers leave their trails (see `openTrail`). */
  trailDirectory: string
}

export type { UnmeasuredProject }

const toPosix = (path: string) => path.split(sep).join('/')

/**
 * One test as the report needs it. A worker that died sent Vitest no more results: then its trail
 * has the records of the tests it finished, and names the test it was running.
 */
function collect(testCase: TestCase, root: string, trails: ReadonlyMap<string, TrailRecord>): CollectedTest {
  const state = testCase.result().state
  const trail = trails.get(testCase.id)
  const memory = readTestMemory(testCase) ?? trail?.finished
  return {
    id: testCase.id,
    project: testCase.project.name,
    file: toPosix(relative(root, testCase.module.moduleId)),
    name: testCase.fullName,
    line: testCase.location?.line,
    state,
    memory,
    ...(state === 'pending' && trail && !trail.finished && { crash: trail.started }),
  }
}

/** `vitest -u` writes every measured test; Vitest's 'new' mode only adds tests the baseline lacks. */
function updateMode(update: unknown): 'all' | 'new' | undefined {
  if (update === true || update === 'all')
    return 'all'
  return update === 'new' ? 'new' : undefined
}

/**
 * Collects every test's memory from `task.meta` and, at the end of each run, compares it with the
 * baseline, prints the summary and writes the reports and the baseline.
 */
export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined
  private unmeasuredProjects: UnmeasuredProject[] = []

  constructor(private readonly options: MemoryReporterOptions) {}

  /** Projects the plugin could not set up for measuring: the report names them. */
  setUnmeasuredProjects(projects: UnmeasuredProject[]): void {
    this.unmeasuredProjects = projects
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
  }

  onTestRunStart(): void {
    // A watch session reruns with the same workers' directory: each run reads only its own trails.
    clearTrails(this.options.trailDirectory)
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModule>): Promise<void> {
    const vitest = this.vitest
    if (!vitest)
      return
    const root = vitest.config.root
    const all = testModules.flatMap(module => [...module.children.allTests()])
      // Type tests (`*.test-d.ts`) run in the compiler, not in a worker.
      .filter(test => !(test.meta() as { typecheck?: boolean }).typecheck)
    const environment: ReportEnvironment = {
      node: process.version,
      vitest: vitest.version,
      platform: process.platform,
      arch: process.arch,
      workerFlags: [...this.options.workerFlags],
      deterministic: this.options.deterministic,
    }
    // Skipped and todo tests never ran: they are in the baseline's bookkeeping, not in the report.
    const trails = readTrails(this.options.trailDirectory)
    const ran = all.filter(test => test.result().state !== 'skipped').map(test => collect(test, root, trails))
    let report = buildReport(ran, environment, this.options.budgetPatterns, new Date(), this.unmeasuredProjects)
    const problems: string[] = []
    if (this.options.baseline)
      report = await this.compareWithBaseline(report, all.map(test => collect(test, root, trails)), testModules, problems)

    const log = (text: string) => vitest.logger.log(text)
    if (!this.options.silent && (report.tests.length > 0 || this.unmeasuredProjects.length > 0))
      log(`\n${renderTerminalSummary(report, { top: this.options.top, colors: c, comparedWith: this.options.baseline })}\n`)
    for (const problem of problems) vitest.logger.error(c.red(` ${problem}`))

    const markdown = renderMarkdownReport(report)
    if (this.options.outputFile)
      this.write(this.options.outputFile, renderJsonReport(report), 'Memory report')
    if (this.options.markdown)
      this.write(this.options.markdown, markdown, 'Memory report (Markdown)')
    if (process.env.GITHUB_ACTIONS === 'true') {
      for (const line of renderAnnotations(report, file => toPosix(relative(process.cwd(), resolve(root, file))))) log(line)
      if (process.env.GITHUB_STEP_SUMMARY)
        appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown)
    }
    if (problems.length > 0 || report.summary.crashed > 0 || (this.options.regression.failOnRegression && report.summary.regressed > 0))
      process.exitCode = 1
  }

  private async compareWithBaseline(report: MemoryReport, everyTest: CollectedTest[], testModules: ReadonlyArray<TestModule>, problems: string[]): Promise<MemoryReport> {
    const vitest = this.vitest!
    const path = resolve(vitest.config.root, this.options.baseline!)
    const shown = toPosix(relative(process.cwd(), path)) || path
    const mode = updateMode(vitest.config.update)
    let previous: Baseline | undefined
    try {
      previous = readBaseline(path)
    }
    catch (error) {
      if (!(error instanceof ReportFileError))
        throw error
      // A broken or foreign file is never overwritten, except on purpose with -u.
      if (!mode)
        problems.push(error.message)
    }
    const compared = previous ? compareReport(report, previous.tests, testKey, this.options.regression) : report
    if (mode) {
      const measured = Object.fromEntries(report.tests.filter(t => t.metrics).map(t => [testKey(t), comparedMetrics(t.metrics!)]))
      const tests = updateBaseline(previous, {
        measured,
        present: new Set(everyTest.map(testKey)),
        fullRun: await this.isFullRun(testModules),
        mode,
      })
      writeFileAtomic(path, serializeBaseline(tests))
      if (!this.options.silent)
        vitest.logger.log(c.dim(` Memory baseline written to ${shown} (${Object.keys(tests).length} tests)\n`))
    }
    else if (!previous && problems.length === 0 && !this.options.silent) {
      vitest.logger.log(c.dim(` No memory baseline at ${shown} yet: run vitest with -u to record one.\n`))
    }
    return compared
  }

  /** Every test file of every project ran, without a test name filter: only such a run prunes the baseline. */
  private async isFullRun(testModules: ReadonlyArray<TestModule>): Promise<boolean> {
    const vitest = this.vitest!
    if (vitest.config.testNamePattern)
      return false
    const ran = new Set(testModules.map(module => `${module.project.name}\0${module.moduleId}`))
    const all = await vitest.globTestSpecifications()
    return all.every(spec => ran.has(`${spec.project.name}\0${spec.moduleId}`))
  }

  private write(file: string, content: string, what: string): void {
    const path = resolve(this.vitest!.config.root, file)
    writeFileAtomic(path, content)
    if (!this.options.silent)
      this.vitest!.logger.log(c.dim(` ${what} written to ${toPosix(relative(process.cwd(), path)) || path}\n`))
  }
}
