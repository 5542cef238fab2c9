import { formatBudgetValue } from '../budgets/figure.js'
import { formatBytes } from '../measure/size.js'
import { distinctName, type MemoryReport } from '../report/model.js'
import { formatChange } from './change.js'
import { describeDrift, regressionsDiscounted } from './drift.js'
import { describeCrash } from './terminal.js'

// GitHub's workflow-command escaping: a message ends at a newline, a property at ':' or ','. Test
// names are escaped with it, so one named '::error::x' or holding '%0A' cannot forge a command.
const escapeData = (text: string) => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C')

function command(kind: 'error' | 'warning' | 'notice', file: string | undefined, line: number | null, title: string, message: string): string {
  const properties = [...(file === undefined ? [] : [`file=${escapeProperty(file)}`]), ...(line ? [`line=${line}`] : []), `title=${escapeProperty(title)}`]
  return `::${kind} ${properties.join(',')}::${escapeData(message)}`
}

/**
 * Workflow commands that annotate each test at its file and line: an error for a budget failure
 * (unless `budgetFailures` is false) or a crashed worker, a warning for a regression (a notice when measured across environments and not counted), and one
 * warning without a file when the comparison crossed a V8 major or worker flags. `pathOf` turns a report path (relative to the Vitest root) into one
 * relative to the repository.
 */
export function renderAnnotations(report: MemoryReport, pathOf: (file: string) => string = file => file, options: { budgetFailures?: boolean } = {}): string[] {
  // Vitest's own github-actions reporter annotates the failed test already, with the whole message.
  const budgetFailures = options.budgetFailures ?? true
  const drift = report.summary.environmentDrift
  const lines = drift?.incomparable ? [command('warning', undefined, null, 'Memory compared across environments', describeDrift(drift))] : []
  // Uncounted regressions are notices: the check stays clean of warnings the code did not cause.
  const discounted = regressionsDiscounted(drift)
  for (const test of report.tests) {
    const regressed = test.changes.filter(c => c.direction === 'regressed')
    // Most tests need no annotation, and `pathOf` can cost more than the rest of this together.
    const violations = budgetFailures ? test.violations : []
    if (violations.length === 0 && !test.crash && regressed.length === 0)
      continue
    const file = pathOf(test.file)
    if (violations.length > 0) {
      const broken = violations.map(v => `${v.metric} ${formatBudgetValue(v.metric, v.value)} > ${formatBudgetValue(v.metric, v.limit)} (budget "${v.pattern}")`)
      lines.push(command('error', file, test.line, 'Memory budget exceeded', `${distinctName(test)}: ${broken.join(', ')}`))
    }
    if (test.crash)
      lines.push(command('error', file, test.line, 'Test worker crashed', `${distinctName(test)}: the worker died while the test ran (${describeCrash(test.crash)})`))
    if (regressed.length > 0) {
      const moved = regressed.map(c => `${c.metric} ${formatBytes(c.base)} -> ${formatBytes(c.head)} (${formatChange(c)})`)
      lines.push(discounted
        ? command('notice', file, test.line, 'Memory change across environments (not counted)', `${distinctName(test)}: ${moved.join(', ')}`)
        : command('warning', file, test.line, 'Memory regression', `${distinctName(test)}: ${moved.join(', ')}`))
    }
  }
  return lines
}
