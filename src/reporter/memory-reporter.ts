import { appendFileSync } from 'node:fs'
import { dirname, relative, resolve } from 'node:path'
import c from 'tinyrainbow'
import type { Reporter, TestModule, Vitest } from 'vitest/node'
import { type ComparedMetrics, comparedMetrics } from '../compare/compare.js'
import { failsOnRegression } from '../compare/environment.js'
import type { BudgetRule } from '../budgets/types.js'
import type { FileBudgetRule } from '../report/file-budgets.js'
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
import { fileFailures } from '../render/files.js'
import { clearTrails, readTrails, type TrailRecord } from '../worker/trail-directory.js'
import { collectTests, toPosix } from './collect.js'
import { repositoryRoot } from './repository-root.js'
import { environmentOfShards, overlappingTests, stampEnvironment } from './shards.js'
import { decideUpdate, UPDATE_VARIABLE, type UpdateDecision, type UpdateMode } from './update-mode.js'
import { patternsMatchingFiles } from './files-on-disk.js'
import { type FileRunStart, startFileRun, withFileFigures } from './file-figures.js'

export interface MemoryReporterOptions {
  /** The root of the config that holds the options: their paths and the report's files are relative to it. */
  root: string
  top: number
  silent: boolean
  outputFile: string | undefined
  markdown: string | undefined
  html: string | undefined
  baseline: string | undefined
  regression: RegressionRules
  budgetRules: readonly BudgetRule[]
  fileBudgets: readonly FileBudgetRule[]
  runner: { memory: number | undefined, failAbove: number | undefined }
  deterministic: boolean
  workerFlags: readonly string[]
  /** Where the workers leave their trails (see `openTrail`). */
  trailDirectory: string
}

export type { UnmeasuredProject }

/** What the memory reporters of one run share: one reporter per scope, and what the plugin did to the run's config. */
export interface RunNotes {
  reporters: MemoryReporter[]
  /** Projects some `memoryBudget()` set up, by name. */
  claimed: Set<string>
  /** Node projects whose pool the plugin replaced with 'forks'. */
  replacedPools: Array<{ project: string, pool: string }>
  /** Why the C heap of the workers is not counted (every `native` is then NaN), where the plugin wanted it. */
  nativeUnavailable?: string
}

/** Reporters that write a machine-readable report to stdout when they have no output file. */
const STDOUT_REPORTERS = new Set(['json', 'junit', 'tap', 'tap-flat'])

/**
 * Whether a reporter of this run writes its report to stdout: then stdout is that report alone, and
 * this reporter's lines go to stderr. Without an output file, Vitest 4's json and junit reporters
 * write to stdout; Vitest 5's write under `.vitest/` unless given `stdout: true`.
 */
export function stdoutIsTaken(config: { reporters: readonly unknown[], outputFile?: string | Partial<Record<string, string>> }, vitestVersion: string): boolean {
  const writesFiles = Number.parseInt(vitestVersion, 10) >= 5
  return config.reporters.some((entry) => {
    const [name, options] = Array.isArray(entry) ? entry as [unknown, { outputFile?: unknown, stdout?: unknown } | undefined] : [entry, undefined]
    if (typeof name !== 'string' || !STDOUT_REPORTERS.has(name) || options?.outputFile)
      return false
    const outputFile = config.outputFile
    if (typeof outputFile === 'string' ? outputFile : outputFile?.[name])
      return false
    return options?.stdout === true || !writesFiles || name.startsWith('tap')
  })
}

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

const tests = (count: number) => `${count} test${count === 1 ? '' : 's'}`

/** The provider a run collects coverage with, or 'none'. */
function coverageOf(coverage: { enabled?: boolean, provider?: string } | undefined): string {
  return coverage?.enabled ? coverage.provider ?? 'v8' : 'none'
}

/** The merge run that writes what a blob run left, the baseline the way this run was asked to. */
function mergeCommand(update: UpdateMode): string {
  const variable = process.env[UPDATE_VARIABLE]
  if (!update)
    return 'vitest --merge-reports'
  return variable ? `${UPDATE_VARIABLE}=${variable} vitest --merge-reports` : 'vitest --merge-reports -u'
}

/**
 * Collects the memory of its scope's tests (the projects one `memoryBudget()` set up) from
 * `task.meta` and, at the end of each run, compares it with the baseline, prints the summary and
 * writes the reports and the baseline: what that config would give run alone.
 */
export class MemoryReporter implements Reporter {
  private vitest: Vitest | undefined
  private partOfMerge = false
  private merging = false
  /** Where this reporter's lines go: stderr when another reporter's report takes stdout. */
  private print: (text: string) => void = () => {}
  /** Child process ends and the cgroup's OOM kills as this run started. */
  private fileRun: FileRunStart | undefined
  /** This scope's projects, each with the name its tests are reported under. */
  private readonly projects = new Map<string, string>()
  private readonly unmeasuredProjects: UnmeasuredProject[] = []
  /**
   * The latest figures of every test this session measured, by key: a watch session's `u` reruns only
   * the files with failures, and accepts these for the rest, as the summaries showed them.
   */
  private measuredInSession = new Map<string, ComparedMetrics>()

  constructor(private readonly options: MemoryReporterOptions, private readonly run: RunNotes) {
    run.reporters.push(this)
  }

  get trailDirectory(): string {
    return this.options.trailDirectory
  }

  /** A project this scope holds; `unmeasured` says why its tests cannot be measured, if they cannot. */
  addProject(name: string, label: string, unmeasured?: string): void {
    this.projects.set(name, label)
    if (unmeasured !== undefined)
      this.unmeasuredProjects.push({ project: name, reason: unmeasured })
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest
    this.partOfMerge = vitest.config.reporters.some(isBlobReporter)
    this.merging = Boolean(vitest.config.mergeReports)
    const toStderr = stdoutIsTaken(vitest.config, vitest.version)
    this.print = text => (toStderr ? vitest.logger.error(text) : vitest.logger.log(text))
    if (this.run.reporters[0] === this)
      this.noteSetup(vitest)
  }

  /** Once per run: what the plugin changed in the config, and the projects no `memoryBudget()` holds. */
  private noteSetup(vitest: Vitest): void {
    const pools = this.run.replacedPools
    if (pools.length > 0)
      vitest.logger.warn(c.yellow(` Memory: ${pools.map(p => `pool '${p.pool}'${p.project ? ` (project ${p.project})` : ''}`).join(', ')} replaced with 'forks': measuring needs worker processes started with GC flags.`))
    if (this.run.nativeUnavailable !== undefined)
      vitest.logger.warn(c.yellow(` Memory: native (C heap) memory is not measured: ${this.run.nativeUnavailable}. native is NaN in every test, and a budget on it stops the run; memoryBudget({ native: false }) turns it off.`))
    const unheld = vitest.projects.map(p => p.name).filter(name => !this.run.claimed.has(name))
    if (unheld.length > 0)
      vitest.logger.warn(c.yellow(` Memory: ${unheld.length === 1 ? 'project' : 'projects'} ${unheld.join(', ')} ${unheld.length === 1 ? 'has' : 'have'} no memoryBudget() in ${unheld.length === 1 ? 'its' : 'their'} config, so ${unheld.length === 1 ? 'its' : 'their'} tests are not measured (a project loaded from a config file of its own gets none of another config's plugins).`))
  }

  /**
   * What this run writes of the baseline. Pressing `u` in watch mode sets no `update`: it turns
   * Vitest's snapshot updating to 'all' for one rerun, which is what tells it apart.
   */
  private update(): UpdateDecision {
    const vitest = this.vitest!
    const decision = decideUpdate(vitest.config.update, process.env[UPDATE_VARIABLE])
    const variableSet = (process.env[UPDATE_VARIABLE] ?? '') !== ''
    if (!decision.mode && !variableSet && vitest.snapshot.options.updateSnapshot === 'all')
      return { mode: 'all' }
    return decision
  }

  onTestRunStart(): void {
    // A watch session reruns with the same workers' directory: each run reads only its own trails.
    clearTrails(this.options.trailDirectory)
    this.fileRun = startFileRun()
  }

  async onTestRunEnd(allModules: ReadonlyArray<TestModule>): Promise<void> {
    const vitest = this.vitest
    if (!vitest)
      return
    const testModules = allModules.filter(module => this.projects.has(module.project.name))
    const here: ReportEnvironment = {
      node: process.version,
      // The workers run the same Node binary as Vitest's main process.
      v8: process.versions.v8,
      vitest: vitest.version,
      platform: process.platform,
      arch: process.arch,
      workerFlags: [...this.options.workerFlags],
      deterministic: this.options.deterministic,
      coverage: coverageOf(vitest.config.coverage),
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
    const everyTest = collectTests(testModules, this.options.root, () => (trails ??= readTrails(this.options.trailDirectory)), name => this.projects.get(name) ?? name)
    const overlap = overlappingTests(everyTest)
    if (overlap.length > 0)
      problems.push(`${overlap.length} test${overlap.length === 1 ? ' was' : 's were'} reported twice, e.g. ${JSON.stringify(`${overlap[0]!.file} > ${overlap[0]!.name}`)}: the merged blobs overlap (a shard's blob given twice, or one left from an earlier run). Each is counted once; no report or baseline was written. Merge the blobs of one run only.`)
    const unique = overlap.length > 0 ? everyTest.filter((test, i) => everyTest.findIndex(other => other.id === test.id) === i) : everyTest
    // Skipped and todo tests never ran: they are in the baseline's bookkeeping, not in the report.
    const ran = unique.filter(test => test.state !== 'skipped')
    let report = buildReport(ran, environment, this.options.budgetRules.map(rule => rule.pattern), new Date(), this.unmeasuredProjects)
    // A merge run has no workers of its own: its files come from the blobs' tasks.
    report = withFileFigures(report, testModules, unique, vitest, name => this.projects.get(name) ?? name, this.fileRun ?? startFileRun(), this.options)
    if (report.summary.unmatchedPatterns.length > 0)
      report = await this.withoutFilteredOut(report, testModules)
    if (this.options.baseline)
      report = await this.compareWithBaseline(report, unique, testModules, problems, overlap.length === 0)

    if (!this.options.silent && (report.tests.length > 0 || this.unmeasuredProjects.length > 0)) {
      // Several configs' scopes in one run (a monorepo's packages): each summary names its projects.
      const scope = this.run.reporters.length > 1 ? [...this.projects.keys()].join(', ') : undefined
      this.print(`\n${renderTerminalSummary(report, { top: this.options.top, colors: c, comparedWith: this.comparedWith(), shard: vitest.config.shard, scope })}\n`)
    }
    for (const problem of problems) vitest.logger.error(c.red(` ${problem}`))

    if (this.partOfMerge)
      this.leaveToMerge()
    else if (report.tests.length === 0 && this.unmeasuredProjects.length === 0)
      this.keepReports()
    else if (overlap.length === 0)
      this.publish(report)
    // A test over budget has failed already, except where Vitest turned its failure into a pass and
    // the plugin's runner could not undo that (a project with a runner of its own, a browser page).
    const fileProblems = fileFailures(report)
    for (const problem of fileProblems) vitest.logger.error(c.red(` ${problem}`))
    if (problems.length > 0 || fileProblems.length > 0 || report.summary.crashed > 0 || report.summary.overBudget > 0 || failsOnRegression(report.summary, this.options.regression.failOnRegression))
      process.exitCode = 1
  }

  /** The heading's "against ...": after -u, the file it compared with is no longer what is on disk. */
  private comparedWith(): string | undefined {
    const baseline = this.options.baseline
    return baseline && this.update().mode && !this.partOfMerge ? `${baseline} as it was before this update` : baseline
  }

  /**
   * A run that left tests out (a file filter, `-t`, `--project`) cannot tell a pattern for the
   * tests it left out from a typo: there a pattern counts as matching no test only if its file glob
   * matches no file under the root at all. (A shard's summary says instead that it speaks of the shard only.)
   */
  private async withoutFilteredOut(report: MemoryReport, testModules: ReadonlyArray<TestModule>): Promise<MemoryReport> {
    const vitest = this.vitest!
    if (vitest.config.shard || (vitest.config.project.length === 0 && await this.isFullRun(testModules)))
      return report
    const unmatched = this.options.budgetRules.filter(rule => report.summary.unmatchedPatterns.includes(rule.pattern))
    const onDisk = patternsMatchingFiles(this.options.root, unmatched.map(rule => ({ key: rule.pattern, file: new RegExp(rule.file) })))
    return { ...report, summary: { ...report.summary, unmatchedPatterns: report.summary.unmatchedPatterns.filter(pattern => !onDisk.has(pattern)) } }
  }

  private async compareWithBaseline(report: MemoryReport, everyTest: CollectedTest[], testModules: ReadonlyArray<TestModule>, problems: string[], writable: boolean): Promise<MemoryReport> {
    const vitest = this.vitest!
    const path = this.resolve(this.options.baseline!)
    const { mode, note, problem } = this.update()
    if (problem)
      problems.push(problem)
    if (note && !this.options.silent)
      this.print(c.yellow(` Memory: ${note}\n`))
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
    const measuredNow = new Map(report.tests.filter(t => t.metrics).map(t => [testKey(t), comparedMetrics(t.metrics!)]))
    // Only `u` in watch mode: `vitest -u` sets `update` and accepts this run's figures alone.
    this.measuredInSession = new Map([...this.measuredInSession, ...measuredNow])
    const measured = mode && !vitest.config.update ? this.measuredInSession : measuredNow
    if (mode && !this.partOfMerge && writable && measured.size === 0) {
      // A run of type tests only, of no files, or of skipped tests: nothing to write over the figures of the last.
      if (!this.options.silent)
        this.print(c.dim(` Memory baseline ${shown(path)} left as it is: this run measured no test.\n`))
    }
    else if (mode && !this.partOfMerge && writable) {
      const entries = updateBaseline(previous, {
        measured,
        present: new Set(everyTest.map(testKey)),
        fullRun: await this.isFullRun(testModules),
        mode,
      })
      // Figures only added ('new' mode) were measured with the rest of the old baseline's.
      const environment = mode === 'new' && previous?.environment ? previous.environment : report.environment
      writeFileAtomic(path, serializeBaseline(entries, environment))
      if (!this.options.silent)
        this.print(c.dim(` Memory baseline written to ${shown(path)} (${tests(entries.size)})\n`))
    }
    else if (!previous && problems.length === 0 && !this.options.silent) {
      this.print(c.dim(` No memory baseline at ${shown(path)} yet: run vitest with -u to record one.\n`))
    }
    return compared
  }

  /** Every test file of this scope's projects ran, without a test name filter: only such a run prunes the baseline. */
  private async isFullRun(testModules: ReadonlyArray<TestModule>): Promise<boolean> {
    const vitest = this.vitest!
    if (vitest.config.testNamePattern)
      return false
    const ran = new Set(testModules.map(module => `${module.project.name}\0${module.moduleId}`))
    const all = await vitest.globTestSpecifications()
    return all.every(spec => !this.projects.has(spec.project.name) || ran.has(`${spec.project.name}\0${spec.moduleId}`))
  }

  /** The report files and GitHub's annotations and job summary: what the whole run hands on. */
  private publish(report: MemoryReport): void {
    const root = this.options.root
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
      for (const line of renderAnnotations(report, file => toPosix(relative(repository, resolve(root, file))), { budgetFailures })) this.print(line)
      if (process.env.GITHUB_STEP_SUMMARY)
        appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown)
    }
  }

  /** A run that ran no test (none found, type tests only) leaves the last run's reports in place. */
  private keepReports(): void {
    const files = [this.options.outputFile, this.options.markdown, this.options.html].filter(file => file !== undefined).map(file => shown(this.resolve(file)))
    if (files.length > 0 && !this.options.silent)
      this.print(c.dim(` Memory: this run ran no test, so ${files.join(', ')} ${files.length === 1 ? 'is' : 'are'} left as ${files.length === 1 ? 'it is' : 'they are'}.\n`))
  }

  /**
   * A part of the run writes none of what `publish` and `-u` write: a partial report would stand
   * over the user's whole one, and GitHub would show each annotation twice, once from the merge.
   */
  private leaveToMerge(): void {
    const update = this.update().mode
    const files = [this.options.outputFile, this.options.markdown, this.options.html, update ? this.options.baseline : undefined]
    const withheld = [
      ...files.filter(file => file !== undefined).map(file => shown(this.resolve(file))),
      ...(process.env.GITHUB_ACTIONS === 'true' ? ['GitHub annotations and job summary'] : []),
    ]
    if (withheld.length > 0 && !this.options.silent)
      this.print(c.dim(` Memory: this run writes a blob, so ${withheld.join(', ')} ${withheld.length === 1 ? 'is' : 'are'} left to \`${mergeCommand(update)}\`, which reports every blob as one run.\n`))
  }

  /** A file the options name, relative to the root of their config. */
  private resolve(file: string): string {
    return resolve(this.options.root, file)
  }

  private write(file: string, content: string, what: string): void {
    const path = this.resolve(file)
    writeFileAtomic(path, content)
    // A shard without a blob writes what it measured only, over whatever another shard wrote there.
    const shard = this.vitest!.config.shard
    const part = shard ? c.yellow(` (shard ${shard.index}/${shard.count}'s tests only: shards writing to one file overwrite each other)`) : ''
    if (!this.options.silent)
      this.print(c.dim(` ${what} written to ${shown(path)}`) + part + '\n')
  }
}
