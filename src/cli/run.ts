import { dirname, relative, resolve, sep } from 'node:path'
import { parseArgs } from 'node:util'
import c from 'tinyrainbow'
import { failsOnRegression } from '../compare/environment.js'
import { parseThreshold, type RegressionOptions, resolveRegressionRules } from '../compare/rules.js'
import { describeValue } from '../measure/arguments.js'
import { SIZE_METRICS, type SizeMetric } from '../measure/metric-names.js'
import { parseSize } from '../measure/size.js'
import { readReport, ReportFileError, reportFigures, testKey } from '../report/files.js'
import { buildHistory, changedOverRuns } from '../report/history.js'
import { compareReport, type MemoryReport, summarize } from '../report/model.js'
import { sortByLocation } from '../report/order.js'
import { readProfileTrees } from '../report/read-allocation-trees.js'
import { writeFileAtomic } from '../report/write-atomic.js'
import { plain } from '../render/colors.js'
import { renderHistoryHtml, renderHistoryMarkdown, renderHistoryTerminal } from '../render/history.js'
import { renderHtmlReport } from '../render/html.js'
import { renderJsonReport } from '../render/json.js'
import { renderMarkdownReport } from '../render/markdown.js'
import { printable, renderTerminalSummary } from '../render/terminal.js'

export interface CliIo {
  stdout: (text: string) => void
  stderr: (text: string) => void
  /** Colour for the terminal output (the bin passes whether stdout supports it). */
  colors: boolean
}

/** A mistake in how the CLI was called or in the files it was given: one line, exit code 2. */
class UsageError extends Error {}

const HELP = {
  main: `Usage: vitest-memory-budget <command> [options]

Commands:
  compare <base.json> <head.json>   compare two JSON reports (base branch and pull request)
  merge <report.json...> -o <file>  merge the JSON reports of separate runs (jobs) into one
  html <report.json> -o <file>      write a report as one self-contained HTML page (--base to compare)
  markdown <report.json> -o <file>  write a report as the Markdown of a pull-request comment
  history <report.json...>          each test's peak across runs (reports in commit order)

Run 'vitest-memory-budget <command> --help' for a command's options.`,
  compare: `Usage: vitest-memory-budget compare <base.json> <head.json> [options]

Compares two JSON reports written by memoryBudget({ outputFile }), prints the tests that changed and
exits 0, or 1 with --fail-on-regression when a test regressed. Bad input exits 2.

Options:
  --markdown <file>       also write the comparison as Markdown for a pull-request comment
  --threshold <value>     a change counts above this share of the base (default 10%; e.g. 5%, 0.05)
  --min-delta <size>      ... and above this size (default 1MB; e.g. 256kB, 4MiB, 1048576)
  --fail-on-regression    exit 1 when a test regressed
  --across-environments   with --fail-on-regression, also exit 1 when the reports come from different
                          V8 majors or worker flags (by default such changes are shown, not counted)
  --top <n>               rows in the table of heaviest tests (default 10)
  -h, --help              show this help`,
  merge: `Usage: vitest-memory-budget merge <report.json...> -o <file>

Merges the JSON reports (memoryBudget({ outputFile })) of separate runs of one suite into one report:
runs split by file filters or configs, or shards that each kept their JSON report. Reports may not
share a test, and must come from one Node and Vitest. For vitest --shard with --reporter=blob,
'vitest --merge-reports' makes the whole report, with the budgets, baseline and annotations.

Options:
  -o, --output <file>     where to write the merged report (required)
  -h, --help              show this help`,
  html: `Usage: vitest-memory-budget html <report.json> -o <file> [--base <base.json>]

Writes a JSON report (memoryBudget({ outputFile })) as one self-contained HTML page: summary, charts
of the heaviest tests, files and changes, every test in a table that sorts and filters, and each
test's memory across its GCs, and where the heaviest profiled tests allocated it, from the heap
profiles the report lists (read relative to the current directory). It opens from disk and makes no
network request.

Options:
  -o, --output <file>     where to write the HTML page (required)
  --base <base.json>      compare with this report first (10% and 1 MB), as compare does
  -h, --help              show this help`,
  markdown: `Usage: vitest-memory-budget markdown <report.json> -o <file>

Writes a JSON report (memoryBudget({ outputFile })) as the Markdown the markdown option writes, as it
is: for a pull request with no base to compare with (compare base.json head.json --markdown compares).

Options:
  -o, --output <file>     where to write the Markdown (required)
  -h, --help              show this help`,
  history: `Usage: vitest-memory-budget history <report.json...> [--metric <name>] [--html <file>] [--markdown <file>]

Reads the JSON reports of several runs, oldest first (e.g. CI artifacts in commit order), and shows
each test's peak (heap + external) across them. Tests that come and go show as gaps. Prints the tests
whose peak moved (highest against lowest) past the threshold and the minimum change, or that came or
went, as a table, unless --html or --markdown is given.

Options:
  --metric <name>         the figure to follow: ${SIZE_METRICS.join(', ')} (default total); runs
                          that did not measure it (native without the interposer) are left out
  --html <file>           write a page charting the heaviest tests over the runs, and every test's peaks
  --markdown <file>       write the changed tests with a sparkline each, for a pull-request comment
  --threshold <value>     a change counts above this share of the lowest peak (default 10%)
  --min-delta <size>      ... and above this size (default 1MB)
  -h, --help              show this help`,
}

/** A value on the command line is a string; a plain number in it means what the number means in the config. */
function numberOrText(text: string): number | string {
  // Too many digits make Infinity: keep the text, for an error that shows what was typed.
  return /^\d+(?:\.\d+)?$/.test(text) && Number.isFinite(Number(text)) ? Number(text) : text
}

/** An empty path would only show up as an error about a file with no name. */
function checkPath(what: string, path: string): void {
  if (path.trim() === '')
    throw new UsageError(`Invalid ${what}: ${describeValue(path)}. Expected a file path.`)
}

/** Writes an output file; a path that cannot be written is the caller's mistake, not a crash. */
function writeOutput(option: string, path: string, content: string): void {
  try {
    writeFileAtomic(path, content)
  }
  catch (error) {
    throw new UsageError(`${path}: cannot write the ${option} file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`)
  }
}

/** Node's own argument errors ("Unknown option '--tresh'"), as one line and exit code 2. */
function parsed<T>(parse: () => T): T {
  try {
    return parse()
  }
  catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!)
  }
}

/** `--threshold` and `--min-delta` as the config's regression options; a bad value is a usage error. */
function regressionOptions(values: { 'threshold'?: string, 'min-delta'?: string }): RegressionOptions {
  const regression: RegressionOptions = {}
  try {
    if (values.threshold !== undefined) {
      // Checked here to name the flag; kept as typed, for the rules to read it as the config's.
      regression.threshold = numberOrText(values.threshold)
      parseThreshold(regression.threshold, '--threshold')
    }
    if (values['min-delta'] !== undefined)
      regression.minDelta = parseSize(numberOrText(values['min-delta']), '--min-delta').bytes
  }
  catch (error) {
    throw new UsageError((error as Error).message)
  }
  return regression
}

function compare(args: string[], io: CliIo): number {
  const { values, positionals } = parsed(() => parseArgs({
    args,
    allowPositionals: true,
    options: {
      'markdown': { type: 'string' },
      'threshold': { type: 'string' },
      'min-delta': { type: 'string' },
      'fail-on-regression': { type: 'boolean' },
      'across-environments': { type: 'boolean' },
      'top': { type: 'string' },
      'help': { type: 'boolean', short: 'h' },
    },
  }))
  if (values.help) {
    io.stdout(`${HELP.compare}\n`)
    return 0
  }
  if (positionals.length !== 2)
    throw new UsageError(`compare takes two reports, base and head; got ${positionals.length}. See 'vitest-memory-budget compare --help'.`)
  const regression = { ...regressionOptions(values), failOnRegression: values['fail-on-regression'] === true, acrossEnvironments: values['across-environments'] === true }
  // Digits only: Number() would also take '', ' ', '0x10' and '1e3'.
  if (values.top !== undefined && !/^\d+$/.test(values.top))
    throw new UsageError(`Invalid --top: ${describeValue(values.top)}. Expected a whole number, 0 or more.`)
  const top = values.top === undefined ? 10 : Number(values.top)
  const [basePath, headPath] = positionals as [string, string]
  checkPath('base report path', basePath)
  checkPath('head report path', headPath)
  if (values.markdown !== undefined)
    checkPath('--markdown', values.markdown)
  const base = readReport(basePath)
  const rules = resolveRegressionRules(regression)
  const report = compareReport(readReport(headPath), reportFigures(base), testKey, rules, base.environment)
  io.stdout(`${renderTerminalSummary(report, { top, colors: io.colors ? c : plain, comparedWith: basePath })}\n`)
  if (values.markdown !== undefined) {
    writeOutput('--markdown', values.markdown, renderMarkdownReport(report))
    io.stdout(`Markdown written to ${values.markdown}\n`)
  }
  return failsOnRegression(report.summary, rules.failOnRegression) ? 1 : 0
}

/** One report from the shards of a run: their tests together, the summary counted again. */
export function mergeReports(reports: ReadonlyArray<{ path: string, report: MemoryReport }>): MemoryReport {
  const [first] = reports
  const same = (a: MemoryReport, b: MemoryReport) =>
    a.environment.node === b.environment.node && a.environment.vitest === b.environment.vitest && a.environment.deterministic === b.environment.deterministic
  for (const { path, report } of reports) {
    if (!same(first!.report, report))
      throw new UsageError(`${path}: comes from another environment (Node ${report.environment.node}, Vitest ${report.environment.vitest}) than ${first!.path} (Node ${first!.report.environment.node}, Vitest ${first!.report.environment.vitest}); shards of one run share one.`)
  }
  const seen = new Map<string, string>()
  for (const { path, report } of reports) {
    for (const test of report.tests) {
      const key = testKey(test)
      if (seen.has(key))
        throw new UsageError(`${path}: test ${JSON.stringify(key)} is also in ${seen.get(key)}; shards of one run do not overlap.`)
      seen.set(key, path)
    }
  }
  const tests = sortByLocation(reports.flatMap(({ report }) => report.tests))
  // A pattern matched nothing in the whole run only if it matched nothing in any shard.
  const unmatched = first!.report.summary.unmatchedPatterns.filter(pattern => reports.every(({ report }) => report.summary.unmatchedPatterns.includes(pattern)))
  const summary = summarize(tests, unmatched, reports.some(({ report }) => report.summary.compared), reports.flatMap(({ report }) => report.summary.unmeasuredProjects ?? []).filter((entry, i, all) => all.findIndex(other => other.project === entry.project) === i))
  // Shards of one run share one environment and one baseline, so one drift.
  const drift = first!.report.summary.environmentDrift
  return {
    ...first!.report,
    createdAt: reports.map(({ report }) => report.createdAt).sort().at(-1)!,
    summary: drift ? { ...summary, environmentDrift: drift } : summary,
    tests,
  }
}

function merge(args: string[], io: CliIo): number {
  const { values, positionals } = parsed(() => parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' } },
  }))
  if (values.help) {
    io.stdout(`${HELP.merge}\n`)
    return 0
  }
  if (values.output === undefined)
    throw new UsageError(`merge needs -o <file>, where to write the merged report. See 'vitest-memory-budget merge --help'.`)
  checkPath('--output', values.output)
  if (positionals.length === 0)
    throw new UsageError(`merge needs at least one report to read. See 'vitest-memory-budget merge --help'.`)
  positionals.forEach(path => checkPath('report path', path))
  const merged = mergeReports(positionals.map(path => ({ path, report: readReport(path) })))
  writeOutput('--output', values.output, renderJsonReport(merged))
  io.stdout(`Merged ${positionals.length} report${positionals.length === 1 ? '' : 's'} (${merged.summary.tests} tests) into ${values.output}\n`)
  return 0
}

/**
 * The arguments of a command that writes one report to one file (`html`, `markdown`): the report's
 * path, `-o` and, with `withBase`, `--base`. Undefined after printing the help.
 */
function oneReportToFile(command: 'html' | 'markdown', what: string, args: string[], io: CliIo, withBase = false): { report: string, output: string, base?: string } | undefined {
  const { values, positionals } = parsed(() => parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h' }, ...(withBase && { base: { type: 'string' } }) },
  }))
  if (values.help) {
    io.stdout(`${HELP[command]}\n`)
    return undefined
  }
  if (positionals.length !== 1)
    throw new UsageError(`${command} takes one report; got ${positionals.length}. See 'vitest-memory-budget ${command} --help'.`)
  if (values.output === undefined)
    throw new UsageError(`${command} needs -o <file>, where to write ${what}. See 'vitest-memory-budget ${command} --help'.`)
  checkPath('report path', positionals[0]!)
  checkPath('--output', values.output)
  const base = values.base as string | undefined
  if (base !== undefined)
    checkPath('--base', base)
  return { report: positionals[0]!, output: values.output, ...(base !== undefined && { base }) }
}

function html(args: string[], io: CliIo): number {
  const values = oneReportToFile('html', 'the page', args, io, true)
  if (!values)
    return 0
  const head = readReport(values.report)
  const report = values.base === undefined ? head : compareReport(head, reportFigures(readReport(values.base)), testKey, resolveRegressionRules(undefined))
  // The report names files relative to the Vitest root, which is where CI runs this command.
  writeOutput('--output', values.output, renderHtmlReport(report, { rootFromPage: relative(dirname(resolve(values.output)), process.cwd()).split(sep).join('/'), profileTrees: readProfileTrees(report, process.cwd()) }))
  io.stdout(`HTML report (${report.summary.tests} tests) written to ${values.output}\n`)
  return 0
}

function markdown(args: string[], io: CliIo): number {
  const values = oneReportToFile('markdown', 'the Markdown', args, io)
  if (!values)
    return 0
  const report = readReport(values.report)
  writeOutput('--output', values.output, renderMarkdownReport(report))
  io.stdout(`Markdown (${report.summary.tests} tests) written to ${values.output}\n`)
  return 0
}

function history(args: string[], io: CliIo): number {
  const { values, positionals } = parsed(() => parseArgs({
    args,
    allowPositionals: true,
    options: { 'metric': { type: 'string' }, 'html': { type: 'string' }, 'markdown': { type: 'string' }, 'threshold': { type: 'string' }, 'min-delta': { type: 'string' }, 'help': { type: 'boolean', short: 'h' } },
  }))
  if (values.help) {
    io.stdout(`${HELP.history}\n`)
    return 0
  }
  if (positionals.length === 0)
    throw new UsageError(`history needs at least one report, oldest first. See 'vitest-memory-budget history --help'.`)
  positionals.forEach(path => checkPath('report path', path))
  for (const option of ['html', 'markdown'] as const) {
    if (values[option] !== undefined)
      checkPath(`--${option}`, values[option])
  }
  const metric = values.metric ?? 'total'
  if (!(SIZE_METRICS as readonly string[]).includes(metric))
    throw new UsageError(`Invalid --metric: ${describeValue(metric)}. Expected one of ${SIZE_METRICS.join(', ')}.`)
  // The rule of --threshold and --min-delta for the figure followed, even one compared only on request (rss).
  const rule = resolveRegressionRules({ ...regressionOptions(values), metrics: { [metric]: true } }).metrics[metric as SizeMetric]!
  const runs = buildHistory(positionals.map(path => ({ label: path, report: readReport(path) })), metric as SizeMetric)
  if (runs.runs.length === 0)
    throw new UsageError(`No test of ${positionals.length === 1 ? 'the report' : `the ${positionals.length} reports`} measured ${metric}${metric === 'native' ? ' (it is measured only with the interposer: Linux x64 with glibc, forks workers)' : ''}; there is no history of it to show.`)
  const markdown = renderHistoryMarkdown(runs, rule)
  const leftOut = runs.unmeasuredRuns.length > 0 ? ` (${runs.unmeasuredRuns.length} more left out: no ${metric} measured)` : ''
  io.stdout(`History of ${runs.runs.length} run${runs.runs.length === 1 ? '' : 's'}${leftOut}: ${runs.tests.length} tests, ${runs.tests.filter(test => changedOverRuns(test, rule)).length} changed.\n`)
  if (values.html !== undefined) {
    writeOutput('--html', values.html, renderHistoryHtml(runs))
    io.stdout(`HTML written to ${values.html}\n`)
  }
  if (values.markdown !== undefined) {
    writeOutput('--markdown', values.markdown, markdown)
    io.stdout(`Markdown written to ${values.markdown}\n`)
  }
  if (values.html === undefined && values.markdown === undefined)
    io.stdout(`\n${renderHistoryTerminal(runs, rule)}`)
  return 0
}

const COMMANDS: Record<string, (args: string[], io: CliIo) => number> = { compare, merge, html, markdown, history }

/** Runs the CLI; returns the exit code. Errors a user can fix are one line on stderr and code 2. */
export function runCli(argv: string[], io: CliIo): number {
  const [command, ...rest] = argv
  try {
    if (command !== undefined && Object.hasOwn(COMMANDS, command))
      return COMMANDS[command]!(rest, io)
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(`${HELP.main}\n`)
      return command === undefined ? 2 : 0
    }
    throw new UsageError(`Unknown command ${describeValue(command)}. Commands: ${Object.keys(COMMANDS).join(', ')}. See 'vitest-memory-budget --help'.`)
  }
  catch (error) {
    if (error instanceof UsageError || error instanceof ReportFileError) {
      // Paths and file contents quoted in a message may hold control characters; the message stays one line.
      io.stderr(`vitest-memory-budget: ${printable(error.message)}\n`)
      return 2
    }
    throw error
  }
}
