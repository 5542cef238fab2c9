import { formatBytes } from '../measure/size.js'
import { type ReportFile, workerGrowth } from '../report/file-model.js'
import type { MemoryReport } from '../report/model.js'
import type { RunnerFit } from '../report/runner-fit.js'
import { describeDeath, type WorkerDeath } from '../report/worker-deaths.js'
import { type Palette, plain } from './colors.js'
import { firstInOrder } from './first-in-order.js'

// What the report says of test files as wholes, their workers and the machine: the terminal's and
// the Markdown's sections, and the failures they add to the run.

const FILE_COLUMNS = ['total', 'heap', 'external', 'rss', 'retained', 'grew'] as const

/** A worker's causes listed before "… and N more". */
const CAUSES = 3

const percent = (share: number) => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`

const fileLabel = (file: { project: string, file: string }, withProject: boolean) => `${withProject && file.project ? `[${file.project}] ` : ''}${file.file}`

/** A figure, `≤` before an RSS that is the worker's lifetime peak rather than the file's own. */
function cell(file: ReportFile, column: typeof FILE_COLUMNS[number]): string {
  const value = file.metrics[column]
  return `${column === 'rss' && file.rssMethod === 'lifetime' ? '≤' : ''}${column === 'grew' && value > 0 ? '+' : ''}${formatBytes(value)}`
}

/** The heaviest files by peak RSS, largest first: what sizes the workers. */
function heaviestFiles(files: readonly ReportFile[], top: number): ReportFile[] {
  return firstInOrder(files, top, (a, b) => b.metrics.rss - a.metrics.rss || b.metrics.total - a.metrics.total || a.file.localeCompare(b.file))
}

/** The runner-fit sentence: what the run needs against what the runner has, and the recommendation. */
export function describeFit(fit: RunnerFit): string {
  const busiest = fit.busiest.files.length > 1 ? `; busiest moment seen: ${formatBytes(fit.busiest.needed)} with ${fit.busiest.files.length} files side by side` : ''
  return `needs ${formatBytes(fit.needed)} with its ${fit.concurrency === 1 ? 'heaviest file' : `${fit.concurrency} heaviest files at once`} (and Vitest's ${formatBytes(fit.main)}), ${percent(fit.share)} of the ${formatBytes(fit.runner.bytes)} this runner gives it (${fit.runner.source})${busiest}. `
    + `Recommended: maxWorkers ${fit.recommendedMaxWorkers}, heapLimit '${Math.round(fit.recommendedHeapLimit / 2 ** 20)}MiB'.`
}

/** What the death of a worker says: how, where, the test and its memory, and what ran beside it. */
export function describeDeathFully(death: WorkerDeath): string {
  const test = death.test ? ` during ${JSON.stringify(death.test.name)} (heap ${formatBytes(death.test.memory.heap)}, external ${formatBytes(death.test.memory.external)}, RSS ${formatBytes(death.test.memory.rss)} as it started)` : ''
  const beside = death.alongside.length > 0 ? `; running beside it: ${death.alongside.map(other => other.file).join(', ')}` : ''
  return `${describeDeath(death)} in ${death.file}${test}${beside}`
}

/** The terminal's lines for files: the heaviest, the workers' growth, deaths, files over budget and the fit. */
export function terminalFileLines(report: MemoryReport, top: number, c: Palette = plain, printable: (text: string) => string = text => text): string[] {
  const files = report.files ?? []
  const withProject = new Set(files.map(f => f.project)).size > 1
  const lines: string[] = []
  const heaviest = heaviestFiles(files, top)
  if (heaviest.length > 0) {
    const cells = heaviest.map(file => FILE_COLUMNS.map(column => cell(file, column)))
    const widths = FILE_COLUMNS.map((column, i) => Math.max(column.length, ...cells.map(row => row[i]!.length)))
    lines.push('', `  ${FILE_COLUMNS.map((column, i) => c.dim(column.padStart(widths[i]!))).join('  ')}  ${c.dim('file (its whole life in its worker)')}`)
    heaviest.forEach((file, row) => {
      const over = new Set<string>(file.violations.map(v => v.metric))
      const figures = cells[row]!.map((text, i) => (over.has(FILE_COLUMNS[i]!) ? c.red(text.padStart(widths[i]!)) : text.padStart(widths[i]!)))
      lines.push(`  ${figures.join('  ')}  ${printable(fileLabel(file, withProject))}`)
    })
    if (files.length > heaviest.length)
      lines.push(c.dim(`  … and ${files.length - heaviest.length} lighter file${files.length - heaviest.length === 1 ? '' : 's'}`))
  }
  for (const worker of workerGrowth(files)) {
    if (worker.causes.length === 0)
      continue
    const causes = worker.causes.slice(0, CAUSES).map(file => `${printable(fileLabel(file, withProject))} +${formatBytes(file.metrics.grew)}${file.order === 1 ? ' (its first file: from the worker\'s start)' : ''}`)
    const more = worker.causes.length > CAUSES ? `, and ${worker.causes.length - CAUSES} more` : ''
    lines.push('', c.yellow(` Worker ${worker.worker} grew ${formatBytes(worker.grew)} over ${worker.files.length} files; grew it most: ${causes.join(', ')}${more}`))
  }
  const over = files.filter(file => file.violations.length > 0)
  if (over.length > 0) {
    lines.push('', c.red(c.bold(` Files over budget (${over.length})`)))
    for (const file of over)
      lines.push(`  ${c.red('✗')} ${printable(fileLabel(file, withProject))}: ${file.violations.map(v => `${v.metric} ${formatBytes(v.value)} > ${formatBytes(v.limit)} (${printable(JSON.stringify(v.pattern))})`).join(', ')}`)
  }
  for (const death of report.workerDeaths ?? [])
    lines.push('', c.red(` ✗ ${printable(describeDeathFully(death))}`))
  if (report.runner)
    lines.push('', (report.runner.fits ? c.dim : c.red)(` Runner: ${describeFit(report.runner)}`))
  if (report.unmatchedFileBudgets)
    lines.push('', c.yellow(` fileBudgets key${report.unmatchedFileBudgets.length === 1 ? '' : 's'} that matched no test file: ${report.unmatchedFileBudgets.map(p => printable(JSON.stringify(p))).join(', ')}`))
  return lines
}

/** What fails the run among the files' figures: files over budget and a suite that needs more than `failAbove` of its runner. */
export function fileFailures(report: MemoryReport): string[] {
  const problems: string[] = []
  const over = (report.files ?? []).filter(file => file.violations.length > 0)
  if (over.length > 0)
    problems.push(`${over.length} test file${over.length === 1 ? ' is' : 's are'} over ${over.length === 1 ? 'its' : 'their'} fileBudgets: ${over.map(file => file.file).join(', ')}`)
  const fit = report.runner
  if (fit && !fit.fits)
    problems.push(`The suite needs ${percent(fit.share)} of the runner's memory, above runner.failAbove ${percent(fit.failAbove!)}: run at most ${fit.recommendedMaxWorkers} worker${fit.recommendedMaxWorkers === 1 ? '' : 's'} at once, or lighten the heaviest files.`)
  return problems
}

/** The Markdown's section: the heaviest files, what grew the workers, deaths and the fit. */
export function markdownFileLines(report: MemoryReport, top: number, escape: (text: string) => string): string[] {
  const files = report.files ?? []
  const withProject = new Set(files.map(f => f.project)).size > 1
  const lines: string[] = []
  const heaviest = heaviestFiles(files, top)
  if (heaviest.length > 0) {
    lines.push(`<details><summary>Heaviest test files (${heaviest.length} of ${files.length}), over each file's whole life in its worker</summary>`, '', '| file | total | heap | external | rss | retained | grew |', '|---|--:|--:|--:|--:|--:|--:|')
    for (const file of heaviest)
      lines.push(`| ${file.violations.length > 0 ? '❌ ' : ''}${escape(fileLabel(file, withProject))} | ${FILE_COLUMNS.map(column => cell(file, column)).join(' | ')} |`)
    lines.push('', '</details>', '')
  }
  for (const worker of workerGrowth(files)) {
    if (worker.causes.length > 0)
      lines.push(`Worker ${worker.worker} grew ${formatBytes(worker.grew)} over ${worker.files.length} files; grew it most: ${worker.causes.slice(0, CAUSES).map(file => `${escape(fileLabel(file, withProject))} +${formatBytes(file.metrics.grew)}`).join(', ')}`, '')
  }
  for (const death of report.workerDeaths ?? [])
    lines.push(`❌ ${escape(describeDeathFully(death))}`, '')
  if (report.runner)
    lines.push(`${report.runner.fits ? '' : '❌ '}**Runner:** ${escape(describeFit(report.runner))}`, '')
  if (report.unmatchedFileBudgets)
    lines.push(`fileBudgets keys that matched no test file: ${report.unmatchedFileBudgets.map(escape).join(', ')}`, '')
  return lines
}
