import type { MetricChange } from '../compare/compare.js'
import { formatChange } from './change.js'
import { formatBudgetValue } from '../budgets/figure.js'
import { formatBytes } from '../measure/size.js'
import { distinctName, type MemoryReport, type ReportTest } from '../report/model.js'
import { describeDrift, regressionsDiscounted } from './drift.js'
import { describeUncompared, shownMetrics } from './measured-metrics.js'
import { markdownFileLines } from './files.js'
import { describeUnheldBudgets } from './unheld.js'

/** The hidden first line a workflow looks for to update its comment in place. */
export const COMMENT_MARKER = '<!-- vitest-memory-budget -->'

/** GitHub refuses comments over 65,536 characters; this leaves room for what a workflow adds. */
export const MARKDOWN_LIMIT = 60_000

const CHANGED_ROWS = 50
const CHART_BARS = 10
/** Characters of a test's name shown: the chart's legend has ten, uncut, and must leave room for the tables. */
const NAME_LIMIT = 300

/**
 * Escapes text for a Markdown table cell so that no test name can end the cell, open a tag, start a
 * link, code span or emphasis, break the line, or mention someone.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(/[&<>|`\\*_[\]()#~!"'$=:{}]/g, char => `&#${char.charCodeAt(0)};`)
    .replace(/@/g, '@\u200B')
}

function testName(test: ReportTest, withProject: boolean): string {
  // By code points, so that the cut never splits a surrogate pair.
  const characters = Array.from(`${withProject && test.project ? `[${test.project}] ` : ''}${test.file} > ${distinctName(test)}`)
  return escapeMarkdown(characters.length > NAME_LIMIT ? `${characters.slice(0, NAME_LIMIT).join('')}…` : characters.join(''))
}

function changeCell(change: MetricChange): string {
  return `${change.direction === 'regressed' ? '🔺' : '🔽'} ${formatChange(change)}`
}

/** Changed tests by impact: regressions first, then by the largest absolute change in bytes. */
function byImpact(tests: readonly ReportTest[]): ReportTest[] {
  // Each test's impact once, not in every comparison.
  return tests
    .map(test => ({ test, regressed: test.changes.some(c => c.direction === 'regressed') ? 1 : 0, largest: Math.max(...test.changes.map(c => Math.abs(c.delta))) }))
    .sort((a, b) => b.regressed - a.regressed || b.largest - a.largest)
    .map(({ test }) => test)
}

function summaryLine(report: MemoryReport): string {
  const s = report.summary
  const parts = [`${s.measured} test${s.measured === 1 ? '' : 's'} measured`, `${s.overBudget} over budget`]
  if (s.crashed > 0)
    parts.push(`${s.crashed} crashed (the worker died)`)
  if (s.compared)
    parts.push(`${s.regressed} regressed${regressionsDiscounted(s.environmentDrift) ? ' (not counted: another environment)' : ''}`, `${s.improved} improved`)
  else
    parts.push('no baseline to compare with')
  return `**Memory:** ${parts.join(' · ')}`
}

function changedRows(tests: readonly ReportTest[], withProject: boolean): string[] {
  const overBudget = tests.filter(t => t.violations.length > 0)
  const changed = byImpact(tests.filter(t => t.violations.length === 0 && t.changes.length > 0))
  const rows: string[] = []
  for (const test of overBudget) {
    const broken = test.violations.map(v => `${v.metric} ${formatBudgetValue(v.metric, v.value)} &gt; ${formatBudgetValue(v.metric, v.limit)}`).join(', ')
    rows.push(`| ❌ ${testName(test, withProject)} | over budget: ${broken} | | | |`)
    for (const change of test.changes) rows.push(`| | ${change.metric} | ${formatBytes(change.base)} | ${formatBytes(change.head)} | ${changeCell(change)} |`)
  }
  for (const test of changed) {
    test.changes.forEach((change, i) => rows.push(`| ${i === 0 ? testName(test, withProject) : ''} | ${change.metric} | ${formatBytes(change.base)} | ${formatBytes(change.head)} | ${changeCell(change)} |`))
  }
  return rows
}

function chart(tests: readonly ReportTest[]): string[] {
  const biggest = tests.filter(t => t.changes.some(c => c.metric === 'total'))
    .map(t => ({ test: t, change: t.changes.find(c => c.metric === 'total')! }))
    .filter(({ change }) => change.ratio !== Infinity)
    .sort((a, b) => Math.abs(b.change.delta) - Math.abs(a.change.delta))
    .slice(0, CHART_BARS)
  if (biggest.length === 0)
    return []
  const values = biggest.map(({ change }) => Number((change.ratio * 100).toFixed(1)))
  return [
    '```mermaid',
    'xychart-beta',
    '  title "Biggest changes in peak memory (total), %"',
    `  x-axis [${biggest.map((_, i) => `"#${i + 1}"`).join(', ')}]`,
    `  y-axis "change %" ${Math.min(0, ...values)} --> ${Math.max(0, ...values)}`,
    `  bar [${values.join(', ')}]`,
    '```',
    '',
    biggest.map(({ test }, i) => `#${i + 1} ${testName(test, false)}`).join('<br>'),
  ]
}

/**
 * Table rows `row(0)` to `row(count - 1)`, appended while they fit in `room` characters; says how
 * many were left out. Each row is made only when it is reached: of 10,000 tests a few hundred fit.
 */
export function fitRows(count: number, row: (index: number) => string, room: number, limit: number, columns: number): string[] {
  const kept: string[] = []
  let used = 0
  for (let index = 0; index < count && kept.length < limit; index++) {
    const text = row(index)
    if (used + text.length + 1 > room)
      break
    kept.push(text)
    used += text.length + 1
  }
  if (kept.length < count)
    kept.push(`| … and ${count - kept.length} more |${' |'.repeat(columns - 1)}`)
  return kept
}

/**
 * The report as a pull-request comment: marker, one-line summary, the changed tests by impact (budget
 * failures first), a chart of the biggest changes, and every test in a collapsed section, cut to fit
 * GitHub's limit however many tests there are.
 */
export function renderMarkdownReport(report: MemoryReport): string {
  const withProject = new Set(report.tests.map(t => t.project)).size > 1
  const drift = report.summary.environmentDrift
  const head = [COMMENT_MARKER, '', summaryLine(report), '', ...(drift ? [`${drift.incomparable ? '> [!WARNING]\n> ' : ''}${escapeMarkdown(describeDrift(drift))}`, ''] : [])]
  const changes = changedRows(report.tests, withProject)
  const body: string[] = []
  if (changes.length > 0) {
    body.push('| test | metric | base | head | change |', '|---|---|--:|--:|---|', ...fitRows(changes.length, index => changes[index]!, MARKDOWN_LIMIT / 3, CHANGED_ROWS, 5), '')
    body.push(...chart(report.tests), '')
  }
  else if (report.summary.compared) {
    body.push('No test changed beyond the regression threshold.', '')
  }
  for (const sentence of describeUncompared(report.tests))
    body.push(sentence, '')
  body.push(...markdownFileLines(report, CHART_BARS, escapeMarkdown))
  const unheld = describeUnheldBudgets(report.tests)
  if (unheld)
    body.push(escapeMarkdown(unheld), '')
  for (const { project, reason } of report.summary.unmeasuredProjects ?? [])
    body.push(`Not measured: project \`${project.replace(/`/g, '').replace(/[\r\n\u2028\u2029]+/g, ' ')}\` (${reason}); no budget was checked for its tests.`, '')
  if (report.summary.unmatchedPatterns.length > 0)
    body.push(`Budget patterns that matched no test: ${report.summary.unmatchedPatterns.map(p => `\`${p.replace(/`/g, '').replace(/[\r\n\u2028\u2029]+/g, ' ')}\``).join(', ')}`, '')

  const measured = report.tests.filter(t => t.metrics !== null)
  const columns = shownMetrics(measured)
  const used = [...head, ...body].join('\n').length
  const measuredRow = (index: number) => {
    const test = measured[index]!
    return `| ${testName(test, withProject)} | ${columns.map(m => formatBytes(test.metrics![m])).join(' | ')} |`
  }
  const details = [
    `<details><summary>All ${measured.length} measured tests</summary>`,
    '',
    `| test | ${columns.join(' | ')} |`,
    `|---|${columns.map(() => '--:').join('|')}|`,
    ...fitRows(measured.length, measuredRow, MARKDOWN_LIMIT - used - 500, Number.POSITIVE_INFINITY, columns.length + 1),
    '',
    '</details>',
  ]
  return `${[...head, ...body, ...details].join('\n')}\n`
}
