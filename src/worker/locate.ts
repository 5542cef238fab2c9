/**
 * Where each test is declared, found in its file's source by name. Vitest records it only with
 * `includeTaskLocation`, which captures and source-maps a stack trace for every test it collects
 * (0.35 ms a test in an `isolate: false` worker, measured: a third of what measuring every test cost);
 * the report needs the lines of a few tests, once, at the end of the run.
 *
 * Each name of the test's path (`describe` titles, then its own) is looked for as a string literal
 * after the previous one: the first match wins, which is the declaration in files that do not repeat
 * a title in one block. A name built at run time (`test.each` with `%s`, a template with `${}`) has no
 * literal, and its test no line.
 */
export function createLineFinder(source: string): (names: readonly string[]) => number | null {
  let lineStarts: number[] | undefined
  const lineAt = (offset: number) => {
    lineStarts ??= [0, ...[...source.matchAll(/\n/g)].map(match => match.index + 1)]
    let low = 0
    let high = lineStarts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >> 1
      if (lineStarts[middle]! <= offset)
        low = middle
      else
        high = middle - 1
    }
    return low + 1
  }
  return (names) => {
    let from = 0
    let at = -1
    for (const name of names) {
      at = firstLiteral(source, name, from)
      if (at === -1)
        return null
      from = at + 1
    }
    return at === -1 ? null : lineAt(at)
  }
}

const QUOTES = ['\'', '"', '`'] as const

/** `text` as a literal in each kind of quotes, escaped as a formatter would write it. */
function literals(text: string): string[] {
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')
  return QUOTES.map(quote => quote + (quote === '`' ? escaped.replace(/`/g, '\\`').replace(/\$\{/g, '\\${') : escaped.split(quote).join(`\\${quote}`)) + quote)
}

function firstLiteral(source: string, text: string, from: number): number {
  let first = -1
  for (const literal of literals(text)) {
    const at = source.indexOf(literal, from)
    if (at !== -1 && (first === -1 || at < first))
      first = at
  }
  return first
}

/** The names from the test file's outermost `describe` to the test's own, from a runner task. */
export function taskNamePath(task: { name: string, suite?: { name: string, suite?: unknown } | undefined, file?: unknown }): string[] {
  const names = [task.name]
  for (let suite = task.suite; suite && suite !== task.file; suite = suite.suite as typeof suite) names.unshift(suite.name)
  return names
}

/** A declaration's line and the column of its first character, from the source and the line finder's line. */
export function lineAndColumn(source: string, line: number): { line: number, column: number } {
  const text = source.split('\n', line)[line - 1] ?? ''
  return { line, column: text.length - text.trimStart().length + 1 }
}
