/** Prints a titled table: first column left-aligned, the others right-aligned. */
export function printTable(title, header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => String(r[i]).length)))
  const line = cells => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ')
  console.log(`\n${title}\n\n  ${line(header)}\n  ${widths.map(w => '-'.repeat(w)).join('  ')}\n${rows.map(r => `  ${line(r)}`).join('\n')}`)
}

export const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]
export const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]
