import { appendFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import c from 'tinyrainbow'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { comparedMetrics } from '../compare/compare.js'
import { failsOnRegression } from '../compare/environment.js'
import type { RegressionRules } from '../compare/rules.js'
import { type Baseline, readBaseline, ReportFileError, serializeBaseline, testKey, updateBaseline } from '../report/files.js'
import { buildReport, type CollectedTest, compareReport, type MemoryReport, type ReportEnvironment, type UnmeasuredProject } from '../report/model.js'
import { readProfileTrees } from '../report/read-allocation-trees.js'
import { writeFileAtomic } from '../report/write-atomic.js'
import { renderAnnotations } from '../render/github.js'
import { renderHtmlReport } from '../render/html.js'
import { renderJsonReport } from '../render/json.js'
import { renderMarkdownReport } from '../render/markdown.js'
import { renderTerminalSummary } from '../render/terminal.js'
import { clearTrails, readTrails, type TrailRecord } from '../worker/trail-directory.js'
import { collectTests, toPosix } from './collect.js'
import { repositoryRoot } from './repository-root.js'
import { environmentOfShards, overlappingTests, stampEnvironment } from './shards.js'
import { decideUpdate, UPDATE_VARIABLE, type UpdateDecision, type UpdateMode } from './update-mode.js'

export interface MemoryReporterOptions {
  top: number
  silent: boolean
  outputFile: string | undefined
  markdown: string | undefined
  html: string | undefined
  baseline: string | undefined
  regression: RegressionRules
  budgetPatterns: readonly string[]
  deterministic: boolean
  workerFlags: readonly string[]
  /** Where the workers leave their trails (see `openTrail`). */
  trailDirectory: string
}

export type { UnmeasuredProject }

/** A path as the user's terminal names it: relative to where they ran Vitest. */
const shown = (path: string) => toPosix(relative(process.cwd(), path)) || path

/**
 * Vitest's blob reporter in `config.reporters`, as Vitest itself tells it apart. A run with it
 * (`--shard=1/3 --reporter=blob`) is one part of a run that `vitest --merge-reports` reports whole,
 * with this reporter again and every test's `task.meta` read back from the blobs.
 */
export function isBlobReporter(entry: unknown): boolean {
  return Array.isArray(entry) && entry[0] === 'blob'
}

/** The merge run that writes what a blob run left, the baseline the way this run was asked to. */
function mergeCommand(update: UpdateMode): string {
  const variable = process.env[UPDATE_VARIABLE]
  if (!update)
    return 'vitest --merge-reports'
  return variable ? `${UPDATE_VARIABLE}=${variable} vitest --merge-reports` : 'vitest --merge-reports -u'
}

/**
 * Collects every test's memory from `task.meta` and, at the end of each run, compares it with the
 * baseline, prints the summary and writes the reports and the baseline.
 */
export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined
  private partOfMerge = false
  private merging = false
  private unmeasuredProjects: UnmeasuredProject[] = []

  constructor(private readonly options: MemoryReporterOptions) {}

  /** Projects the plugin could not set up for measuring: the report names them. */
  setUnmeasuredProjects(projects: UnmeasuredProject[]): void {
    this.unmeasuredProjects = projects
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.partOfMerge = vitest.config.reporters.some(isBlobReporter)
    this.merging = Boolean(vitest.config.mergeReports)
  }

  /** Whether and how this run writes the memory baseline: -u, or the variable that sets it alone. */
  private update(): UpdateDecision {
    return decideUpdate(this.vitest!.config.update, process.env[UPDATE_VARIABLE])
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
    const here: ReportEnvironment = {
      node: process.version,
      // The workers run the same Node binary as Vitest's main process.
      v8: process.versions.v8,
      vitest: vitest.version,
      platform: process.platform,
      arch: process.arch,
      workerFlags: [...this.options.workerFlags],
      deterministic: this.options.deterministic,
    }
    const problems: string[] = []
    // A merge run reports figures measured in the shards' jobs, which may run another Node.
    const shards = this.merging ? environmentOfShards(testModules) : undefined
    if (shards?.mixed)
      problems.push(shards.mixed)
    const environment = shards?.environment ?? here
    if (this.partOfMerge)
      stampEnvironment(testModules, environment)
    let trails: ReadonlyMap<string, TrailRecord> | undefined
    // Before anything awaited: collecting writes what the trails of dead workers say into the tests'
    // `task.meta`, and the blob reporter serializes the tests as its own onTestRunEnd starts, right
    // after this one's (the plugin puts this reporter before it).
    const everyTest = collectTests(testModules, root, () => (trails ??= readTrails(this.options.trailDirectory)))
    const overlap = overlappingTests(everyTest)
    if (overlap.length > 0)
      problems.push(`${overlap.length} test${overlap.length === 1 ? ' was' : 's were'} reported twice, e.g. ${JSON.stringify(`${overlap[0]!.file} > ${overlap[0]!.name}`)}: the merged blobs overlap (a shard's blob given twice, or one left from an earlier run). Each is counted once; no report or baseline was written. Merge the blobs of one run only.`)
    const unique = overlap.length > 0 ? everyTest.filter((test, i) => everyTest.findIndex(other => other.id === test.id) === i) : everyTest
    // Skipped and todo tests never ran: they are in the baseline's bookkeeping, not in the report.
    const ran = unique.filter(test => test.state !== 'skipped')
    let report = buildReport(ran, environment, this.options.budgetPatterns, new Date(), this.unmeasuredProjects)
    if (this.options.baseline)
      report = await this.compareWithBaseline(report, unique, testModules, problems, overlap.length === 0)

    if (!this.options.silent && (report.tests.length > 0 || this.unmeasuredProjects.length > 0))
      vitest.logger.log(`\n${renderTerminalSummary(report, { top: this.options.top, colors: c, comparedWith: this.comparedWith(), shard: vitest.config.shard })}\n`)
    for (const problem of problems) vitest.logger.error(c.red(` ${problem}`))

    if (this.partOfMerge)
      this.leaveToMerge()
    else if (overlap.length === 0)
      this.publish(report)
    if (problems.length > 0 || report.summary.crashed > 0 || failsOnRegression(report.summary, this.options.regression.failOnRegression))
      process.exitCode = 1
  }

  /** The heading's "against ...": after -u, the file it compared with is no longer what is on disk. */
  private comparedWith(): string | undefined {
    const baseline = this.options.baseline
    return baseline && this.update().mode && !this.partOfMerge ? `${baseline} as it was before this update` : baseline
  }

  private async compareWithBaseline(report: MemoryReport, everyTest: CollectedTest[], testModules: ReadonlyArray<TestModule>, problems: string[], writable: boolean): Promise<MemoryReport> {
    const vitest = this.vitest!
    const path = this.resolve(this.options.baseline!)
    const { mode, note, problem } = this.update()
    if (problem)
      problems.push(problem)
    if (note && !this.options.silent)
      vitest.logger.log(c.yellow(` Memory: ${note}\n`))
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
    const compared = previous ? compareReport(report, previous.tests, testKey, this.options.regression, previous.environment) : report
    // A part's baseline would hold only its own tests' new figures, and parts run at once would
    // each write over the others': the merge run (`--merge-reports -u`) writes it from all of them.
    if (mode && !this.partOfMerge && writable) {
      const measured = new Map(report.tests.filter(t => t.metrics).map(t => [testKey(t), comparedMetrics(t.metrics!)]))
      const tests = updateBaseline(previous, {
        measured,
        present: new Set(everyTest.map(testKey)),
        fullRun: await this.isFullRun(testModules),
        mode,
      })
      // Figures only added ('new' mode) were measured with the rest of the old baseline's.
      const environment = mode === 'new' && previous?.environment ? previous.environment : report.environment
      writeFileAtomic(path, serializeBaseline(tests, environment))
      if (!this.options.silent)
        vitest.logger.log(c.dim(` Memory baseline written to ${shown(path)} (${tests.size} tests)\n`))
    }
    else if (!previous && problems.length === 0 && !this.options.silent) {
      vitest.logger.log(c.dim(` No memory baseline at ${shown(path)} yet: run vitest with -u to record one.\n`))
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

  /** The report files and GitHub's annotations and job summary: what the whole run hands on. */
  private publish(report: MemoryReport): void {
    const root = this.vitest!.config.root
    const markdown = renderMarkdownReport(report)
    if (this.options.outputFile)
      this.write(this.options.outputFile, renderJsonReport(report), 'Memory report')
    if (this.options.markdown)
      this.write(this.options.markdown, markdown, 'Memory report (Markdown)')
    if (this.options.html)
      this.write(this.options.html, renderHtmlReport(report, { rootFromPage: toPosix(relative(dirname(this.resolve(this.options.html)), root)), profileTrees: readProfileTrees(report, root) }), 'Memory report (HTML)')
    if (process.env.GITHUB_ACTIONS === 'true') {
      // GitHub places an annotation by its path in the repository, wherever Vitest ran in it.
      const repository = repositoryRoot(root)
      const budgetFailures = !this.vitest!.config.reporters.some(entry => Array.isArray(entry) && entry[0] === 'github-actions')
      for (const line of renderAnnotations(report, file => toPosix(relative(repository, resolve(root, file))), { budgetFailures })) this.vitest!.logger.log(line)
      if (process.env.GITHUB_STEP_SUMMARY)
        appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown)
    }
  }

  /**
   * A part of the run writes none of what `publish` and `-u` write: a partial report would stand
   * over the user's whole one, and GitHub would show each annotation twice, once from the merge.
   */
  private leaveToMerge(): void {
    const vitest = this.vitest!
    const update = this.update().mode
    const files = [this.options.outputFile, this.options.markdown, this.options.html, update ? this.options.baseline : undefined]
    const withheld = [
      ...files.filter(file => file !== undefined).map(file => shown(this.resolve(file))),
      ...(process.env.GITHUB_ACTIONS === 'true' ? ['GitHub annotations and job summary'] : []),
    ]
    if (withheld.length > 0 && !this.options.silent)
      vitest.logger.log(c.dim(` Memory: this run writes a blob, so ${withheld.join(', ')} ${withheld.length === 1 ? 'is' : 'are'} left to \`${mergeCommand(update)}\`, which reports every blob as one run.\n`))
  }

  /** A file the options name, relative to the Vitest root. */
  private resolve(file: string): string {
    return resolve(this.vitest!.config.root, file)
  }

  private write(file: string, content: string, what: string): void {
    const path = this.resolve(file)
    writeFileAtomic(path, content)
    // A shard without a blob writes what it measured only, over whatever another shard wrote there.
    const shard = this.vitest!.config.shard
    const part = shard ? c.yellow(` (shard ${shard.index}/${shard.count}'s tests only: shards writing to one file overwrite each other)`) : ''
    if (!this.options.silent)
      this.vitest!.logger.log(c.dim(` ${what} written to ${shown(path)}`) + part + '\n')
  }
}
