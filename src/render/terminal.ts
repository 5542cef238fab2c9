import { formatBudgetValue } from '../budgets/figure.js'
import { formatBytes } from '../measure/size.js'
import { distinctName, type MemoryReport, type ReportTest } from '../report/model.js'
import type { MemoryAtStart } from '../worker/trail.js'
import { formatChange } from './change.js'
import { type Palette, plain } from './colors.js'
import { describeDrift, regressionsDiscounted } from './drift.js'
import { terminalFileLines } from './files.js'
import { firstInOrder } from './first-in-order.js'
import { describeUncompared, shownMetrics } from './measured-metrics.js'
import { describeUnheldBudgets } from './unheld.js'

export interface TerminalOptions {
  /** Rows in the table of heaviest tests (by peak total). */
  top: number
  colors?: Palette
  /** What the tests were compared with, for the heading of the changes (e.g. the baseline file). */
  comparedWith?: string
  /** The run was this shard of a `--shard` run: a pattern may match tests of the other shards. */
  shard?: { index: number, count: number }
  /** The projects the report holds, when the run has reports of other configs' projects too. */
  scope?: string
}

/** Tests listed under each heading (those over budget or moved most) before "… and N more". */
const LISTED = 10

/** How far a test went over its budget: the largest figure-to-limit ratio of the limits it broke. */
const overshoot = (test: ReportTest) => Math.max(...test.violations.map(v => v.value / v.limit))

// C0 and C1 controls (newlines, escape sequences), line and paragraph separators, and the bidi
// embeddings, overrides and isolates that would reorder the rest of the line.
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

/**
 * Text from a report (a test or file name, a path) as a terminal line can show it: each control
 * character escaped as in JSON, so that none can end the line, move the cursor, colour or reorder it.
 */
export function printable(text: string): string {
  return text.replace(CONTROL_CHARACTERS, char => NAMED_ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

function testLabel(test: ReportTest, withProject: boolean): string {
  return printable(`${withProject && test.project ? `[${test.project}] ` : ''}${test.file} > ${distinctName(test)}`)
}

/**
 * The memory last seen before a crash, and where a runaway heap would have stopped: the limit the user
 * set, and V8's, which is larger by the young generation (a reader comparing the two would otherwise
 * take 178 MB for a `heapLimit: '128MB'` that did not hold).
 */
export function describeCrash(crash: MemoryAtStart): string {
  const limit = crash.heapLimit === crash.v8HeapLimit
    ? `${formatBytes(crash.v8HeapLimit)} (V8's heap_size_limit)`
    : `${formatBytes(crash.heapLimit)} (V8's heap_size_limit, which adds the young generation: ${formatBytes(crash.v8HeapLimit)})`
  return `when it started, heap ${formatBytes(crash.heap)}, external ${formatBytes(crash.external)}, RSS ${formatBytes(crash.rss)}; heap limit ${limit}`
}

/** Pads a cell that may hold colour codes to a visible width. */
function pad(text: string, visible: string, width: number, alignRight: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - visible.length))
  return alignRight ? fill + text : text + fill
}

/** Whether the run collected coverage: its counters are then part of every figure. */
const covered = (environment: MemoryReport['environment']) => environment.coverage !== undefined && environment.coverage !== 'none'

/**
 * The end-of-run summary: the heaviest tests with every metric, each budget violation, and budget
 * patterns that matched nothing. Pure: the same report gives the same text.
 */
export function renderTerminalSummary(report: MemoryReport, options: TerminalOptions): string {
  const c = options.colors ?? plain
  const { summary } = report
  const measured = report.tests.filter(t => t.metrics !== null)
  const withProject = new Set(report.tests.map(t => t.project)).size > 1
  const lines: string[] = []

  const counts = [`${summary.measured} test${summary.measured === 1 ? '' : 's'} measured`]
  if (summary.overBudget > 0)
    counts.push(c.red(`${summary.overBudget} over budget`))
  if (summary.notAttributable > 0)
    counts.push(`${summary.notAttributable} concurrent, not attributable`)
  if (summary.crashed > 0)
    counts.push(c.red(`${summary.crashed} crashed`))
  if (summary.notMeasured > 0)
    counts.push(c.yellow(`${summary.notMeasured} not measured`))
  const discounted = regressionsDiscounted(summary.environmentDrift)
  if (summary.regressed > 0)
    counts.push(c.yellow(`${summary.regressed} regressed${discounted ? ' (not counted: another environment)' : ''}`))
  if (summary.improved > 0)
    counts.push(c.green(`${summary.improved} improved`))
  lines.push(`${c.bold(options.scope === undefined ? ' Memory ' : ` Memory (${printable(options.scope)}) `)} ${counts.join(c.dim(' · '))}${report.environment.deterministic ? '' : c.yellow('  (deterministic: false, peaks vary between runs)')}${covered(report.environment) ? c.yellow(`  (coverage: ${printable(report.environment.coverage!)}, its counters are in the figures)`) : ''}`)

  if (summary.environmentDrift) {
    const sentence = printable(describeDrift(summary.environmentDrift))
    lines.push(summary.environmentDrift.incomparable ? c.yellow(` ⚠ ${sentence}`) : c.dim(` ${sentence}`))
  }

  const heaviest = firstInOrder(measured, options.top, (a, b) => b.metrics!.total - a.metrics!.total || a.id.localeCompare(b.id))
  if (heaviest.length > 0) {
    const columns = shownMetrics(measured)
    const cells = heaviest.map(t => columns.map((column) => {
      const change = t.changes.find(ch => ch.metric === column)
      return `${formatBytes(t.metrics![column])}${change ? ` ${change.direction === 'regressed' ? '↑' : '↓'}${formatChange(change)}` : ''}`
    }))
    const widths = columns.map((column, i) => Math.max(column.length, ...cells.map(row => row[i]!.length)))
    lines.push('', `  ${columns.map((column, i) => c.dim(pad(column, column, widths[i]!, true))).join('  ')}  ${c.dim('test')}`)
    heaviest.forEach((test, row) => {
      const over = new Set<string>(test.violations.map(v => v.metric))
      const paint = (cell: string, column: string) => {
        const change = test.changes.find(ch => ch.metric === column)
        return over.has(column) ? c.red(cell) : change ? (change.direction === 'regressed' ? c.yellow(cell) : c.green(cell)) : cell
      }
      const figures = cells[row]!.map((cell, i) => pad(paint(cell, columns[i]!), cell, widths[i]!, true))
      lines.push(`  ${figures.join('  ')}  ${testLabel(test, withProject)}`)
    })
    if (measured.length > heaviest.length)
      lines.push(c.dim(`  … and ${measured.length - heaviest.length} lighter test${measured.length - heaviest.length === 1 ? '' : 's'} (memoryBudget({ top }) shows more)`))
  }

  const overBudget = report.tests.filter(t => t.violations.length > 0)
  if (overBudget.length > 0) {
    lines.push('', c.red(c.bold(` Over budget (${overBudget.length})`)))
    // Furthest over first: of hundreds, the ten listed are those that need the most memory taken off.
    for (const test of firstInOrder(overBudget, LISTED, (a, b) => overshoot(b) - overshoot(a))) {
      const details = test.violations.map(v => `${v.metric} ${formatBudgetValue(v.metric, v.value)} > ${formatBudgetValue(v.metric, v.limit)} (${printable(JSON.stringify(v.pattern))})`)
      const profile = test.heapProfiles?.at(-1)
      // Where Vitest passed it (`test.fails`, a passing retry) and no runner of the plugin's failed it again.
      const passed = test.state === 'passed' ? c.yellow(' (Vitest passed it; its budget fails the run)') : ''
      lines.push(`  ${c.red('✗')} ${testLabel(test, withProject)}: ${details.join(', ')}${passed}${profile ? c.dim(` (heap profile: ${printable(profile)})`) : ''}`)
    }
    if (overBudget.length > LISTED)
      lines.push(c.dim(`  … and ${overBudget.length - LISTED} more (the JSON report lists every one)`))
  }

  const crashed = report.tests.filter(t => t.crash)
  if (crashed.length > 0) {
    lines.push('', c.red(c.bold(` Crashed (${crashed.length}): the worker died while the test ran`)))
    for (const test of crashed)
      lines.push(`  ${c.red('✗')} ${testLabel(test, withProject)}: ${describeCrash(test.crash!)}`)
  }

  for (const direction of ['regressed', 'improved'] as const) {
    const tests = report.tests.filter(t => (direction === 'regressed' ? t.changes.some(ch => ch.direction === 'regressed') : t.changes.length > 0 && t.changes.every(ch => ch.direction === 'improved')))
    if (tests.length === 0)
      continue
    const paint = direction === 'regressed' ? c.yellow : c.green
    const note = direction === 'regressed' && discounted ? ', not counted: measured in another environment' : ''
    lines.push('', paint(c.bold(` ${direction === 'regressed' ? 'Regressed' : 'Improved'} (${tests.length})${options.comparedWith ? ` against ${printable(options.comparedWith)}` : ''}${note}`)))
    // Largest change in bytes first: of hundreds of changed tests, the ten listed are those that matter most.
    const byMove = tests.map((test) => {
      const moves = test.changes.filter(ch => ch.direction === direction)
      return { test, moves, largest: Math.max(...moves.map(ch => Math.abs(ch.delta))) }
    })
    for (const { test, moves } of firstInOrder(byMove, LISTED, (a, b) => b.largest - a.largest)) {
      const moved = moves.map(ch => `${ch.metric} ${formatBytes(ch.base)} → ${formatBytes(ch.head)} (${formatChange(ch)})`)
      lines.push(`  ${paint(direction === 'regressed' ? '↑' : '↓')} ${testLabel(test, withProject)}: ${moved.join(', ')}`)
    }
    if (tests.length > LISTED)
      lines.push(c.dim(`  … and ${tests.length - LISTED} more`))
  }

  const uncompared = describeUncompared(report.tests)
  if (uncompared.length > 0)
    lines.push('', ...uncompared.map(sentence => c.dim(` ${sentence}`)))
  lines.push(...terminalFileLines(report, options.top, c, printable))

  const unheld = describeUnheldBudgets(report.tests)
  if (unheld)
    lines.push('', c.yellow(` ${printable(unheld)}`))
  for (const { project, reason } of summary.unmeasuredProjects ?? [])
    lines.push('', c.yellow(` Not measured: project ${printable(JSON.stringify(project))} (${printable(reason)}); no budget was checked for its tests.`))
  if (summary.unmatchedPatterns.length > 0)
    lines.push('', c.yellow(` Budget pattern${summary.unmatchedPatterns.length === 1 ? '' : 's'} that matched no test${options.shard ? ` of shard ${options.shard.index}/${options.shard.count}` : ''}: ${summary.unmatchedPatterns.map(p => printable(JSON.stringify(p))).join(', ')}`))

  return lines.join('\n')
}
