/**
 * Where each test is declared, found in its file's source by name. Vitest records it only with
 * `includeTaskLocation`, which captures and source-maps a stack trace for every test it collects
 * (0.35 ms a test in an `isolate: false` worker, measured: a third of what measuring every test cost);
 * the report needs the lines of a few tests, once, at the end of the run.
 *
 * Each name of the test's path (`describe` titles, then its own) is looked for as a string literal
 * after the previous one: the first match wins, which is the declaration in files that do not repeat
 * a title in one block. A name built at run time (`test.each` with `%i` or `$name`, a template with
 * `${}`) has no literal of its own: it is found at the first title with such placeholders after the
 * previous name whose fixed parts it has. A name that neither finds gets no line.
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
  let titles: FormattedTitle[] | undefined
  return (names) => {
    let from = 0
    let at = -1
    for (const name of names) {
      at = firstLiteral(source, name, from)
      if (at === -1)
        at = (titles ??= formattedTitles(source)).find(title => title.at >= from && title.pattern.test(name))?.at ?? -1
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

interface FormattedTitle {
  /** Where the literal starts. */
  at: number
  /** The names it makes: its fixed parts, anything in place of each placeholder. */
  pattern: RegExp
}

// A quoted literal on one line, or a template literal without a backtick inside its `${}`.
const LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g
// What Vitest's `test.each` fills in (printf-style `%s` to `%#`, `$name` and `$0.name` for objects)
// and a template literal's `${…}`; `%%` is a literal `%`.
const PLACEHOLDER = /%[sdifjoOc#$]|\$[\w.]+|\$\{[^}]*\}/g

/** The string literals with a placeholder in them: the titles `test.each` and templates format. */
function formattedTitles(source: string): FormattedTitle[] {
  const titles: FormattedTitle[] = []
  for (const match of source.matchAll(LITERAL)) {
    const body = match[0].slice(1, -1)
    if (body.search(PLACEHOLDER) === -1)
      continue
    const fixed = body.split(PLACEHOLDER).map(part => unescape(part).replace(/%%/g, '%').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    titles.push({ at: match.index, pattern: new RegExp(`^${fixed.join('[^]*')}$`) })
  }
  return titles
}

/** A literal's text as the string it makes: the escapes `literals()` writes, undone. */
function unescape(text: string): string {
  return text.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char))
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
