export const words = text => text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[^A-Za-z0-9]+/).filter(Boolean)
export const camelCase = text => words(text).map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join('')
export const kebabCase = text => words(text).map(w => w.toLowerCase()).join('-')
export const snakeCase = text => words(text).map(w => w.toLowerCase()).join('_')
export const slugify = text => kebabCase(text.normalize('NFKD').replace(/[\u0300-\u036f]/g, ''))
export const truncate = (text, max, ellipsis = '…') => (text.length <= max ? text : text.slice(0, Math.max(0, max - ellipsis.length)) + ellipsis)
export const escapeHtml = text => text.replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' })[c])
export function wordWrap(text, width) {
  const lines = []
  let line = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    }
    else {
      line = line ? `${line} ${word}` : word
    }
  }
  if (line)
    lines.push(line)
  return lines
}
export function padTable(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => String(r[i]).length)))
  return rows.map(r => r.map((c, i) => String(c).padEnd(widths[i])).join(' | ').trimEnd())
}
