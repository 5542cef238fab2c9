import type { RegressionRule } from '../compare/rules.js'
import { formatBytes } from '../measure/size.js'
import { cameOrWent, changedOverRuns, type History, type TestHistory } from '../report/history.js'
import { renderPage } from './html-page.js'
import { formatPercent } from './change.js'
import { escapeMarkdown, fitRows, MARKDOWN_LIMIT } from './markdown.js'
import { metricLabel } from './measured-metrics.js'
import { printable } from './terminal.js'

const BARS = '▁▂▃▄▅▆▇█'
/** Where a test was not measured in a run. */
const GAP = '·'

/** One character per run, the lowest of the test's peaks at ▁, the highest at █. */
export function sparkline(values: ReadonlyArray<number | null>): string {
  const present = values.filter(value => value !== null)
  const low = Math.min(...present)
  const span = Math.max(...present) - low
  return values.map(value => (value === null ? GAP : BARS[span === 0 ? 3 : Math.round(((value - low) / span) * (BARS.length - 1))])).join('')
}

function firstAndLast(test: TestHistory): [number, number] {
  const present = test.values.filter(value => value !== null)
  return [present[0]!, present.at(-1)!]
}

/** What the trend does not show by itself: when a test came or went. */
function note(test: TestHistory): string {
  const first = test.values.findIndex(value => value !== null)
  const last = test.values.findLastIndex(value => value !== null)
  const notes = []
  if (first > 0)
    notes.push(`new in run ${first + 1}`)
  if (last < test.values.length - 1)
    notes.push(`gone after run ${last + 1}`)
  if (test.values.slice(first, last + 1).includes(null))
    notes.push('missing in some runs')
  return notes.join(', ')
}

function change(test: TestHistory): string {
  const [first, last] = firstAndLast(test)
  return first === 0 ? (last === 0 ? '0%' : 'new') : formatPercent((last - first) / first)
}

/** The tests whose peak changed across the runs, or that came or went: largest change first. */
function changedTests(history: History, rule: RegressionRule): TestHistory[] {
  return history.tests.filter(test => changedOverRuns(test, rule))
    .map(test => ({ test, moved: Math.abs(firstAndLast(test)[1] - firstAndLast(test)[0]), came: cameOrWent(test) ? 1 : 0 }))
    .sort((a, b) => b.moved - a.moved || a.came - b.came)
    .map(({ test }) => test)
}

const headline = (history: History, changed: readonly TestHistory[]) =>
  `**Memory history:** ${history.runs.length} run${history.runs.length === 1 ? '' : 's'}, ${history.tests.length} tests, ${changed.length} changed (peak ${metricLabel(history.metric)}, oldest run first)`

/** The runs left out of the history, which never measured its figure; empty when none was. */
function leftOut(history: History, quote: (label: string) => string): string[] {
  const count = history.unmeasuredRuns.length
  return count === 0 ? [] : [`Left out: ${count} run${count === 1 ? '' : 's'} that measured no ${history.metric}: ${history.unmeasuredRuns.map(quote).join(' · ')}`]
}

const NOTHING_CHANGED = 'No test changed across the runs beyond the regression threshold.'

/**
 * The history for a terminal, under the CLI's line of totals: the Markdown's rows as aligned columns,
 * names as they are (escaped only where a character could break the line), every changed test.
 */
export function renderHistoryTerminal(history: History, rule: RegressionRule): string {
  const changed = changedTests(history, rule)
  if (changed.length === 0)
    return `${[NOTHING_CHANGED, ...leftOut(history, printable)].join('\n')}\n`
  const rows = [['trend', 'first', 'last', 'change', 'test'], ...changed.map((test) => {
    const [first, last] = firstAndLast(test)
    const noted = note(test)
    return [sparkline(test.values), formatBytes(first), formatBytes(last), change(test), printable(test.key) + (noted ? `  (${noted})` : '')]
  })]
  const widths = [0, 1, 2, 3].map(column => Math.max(...rows.map(row => row[column]!.length)))
  const lines = rows.map(row => `  ${row[0]!.padEnd(widths[0]!)}  ${row.slice(1, 4).map((cell, i) => cell.padStart(widths[i + 1]!)).join('  ')}  ${row[4]}`)
  return `${[...lines, '', `Runs: ${history.runs.map((run, i) => `${i + 1}. ${printable(run.label)}`).join(' · ')}`, ...leftOut(history, printable)].join('\n')}\n`
}

/**
 * The history as Markdown: one line of totals, then a row per test whose peak changed across the
 * runs (or that came or went), its trend as a sparkline, largest change first; cut to fit a comment.
 */
export function renderHistoryMarkdown(history: History, rule: RegressionRule): string {
  const changed = changedTests(history, rule)
  const runs = history.runs
  const head = [headline(history, changed), '']
  if (changed.length === 0)
    return `${[...head, NOTHING_CHANGED, ...leftOut(history, escapeMarkdown).flatMap(line => ['', line])].join('\n')}\n`
  const row = (index: number) => {
    const test = changed[index]!
    const [first, last] = firstAndLast(test)
    return `| ${escapeMarkdown(test.key)} | ${sparkline(test.values)} | ${formatBytes(first)} | ${formatBytes(last)} | ${change(test)} | ${note(test)} |`
  }
  return `${[
    ...head,
    '| test | trend | first | last | change | |',
    '|---|---|--:|--:|--:|---|',
    ...fitRows(changed.length, row, MARKDOWN_LIMIT - 1_000, Number.POSITIVE_INFINITY, 6),
    '',
    `Runs: ${runs.map((run, i) => `${i + 1}. ${escapeMarkdown(run.label)}`).join(' · ')}`,
    ...leftOut(history, escapeMarkdown).flatMap(line => ['', line]),
  ].join('\n')}\n`
}

/** The history as one self-contained HTML page: the heaviest tests' peaks over the runs, and every test's row. */
export function renderHistoryHtml(history: History): string {
  return renderPage({ title: `Memory history: ${history.runs.length} runs`, data: { kind: 'history', label: metricLabel(history.metric), ...history } })
}
