import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { readBaseline, readReport, serializeBaseline, testKey, updateBaseline } from '../../src/report/files.js'
import { renderAnnotations } from '../../src/render/github.js'
import { renderJsonReport } from '../../src/render/json.js'
import { COMMENT_MARKER, MARKDOWN_LIMIT, renderMarkdownReport } from '../../src/render/markdown.js'
import { renderTerminalSummary } from '../../src/render/terminal.js'
import { resolveRegressionRules } from '../../src/compare/rules.js'
import { buildReport, compareReport } from '../../src/report/model.js'
import { heapProfileName } from '../../src/worker/heap-profiles.js'
import { FILE, hostileReport, NAMES } from '../helpers/hostile-report.js'
import { environment } from '../helpers/sample-report.js'

const report = hostileReport(NAMES)
const labelOf = (name: string) => `${FILE} > ${name}`

/** Text back from the HTML entities and the mention breaker the Markdown renderer puts in. */
const decode = (cell: string) => cell.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/@\u200B/g, '@')

describe('renderMarkdownReport with hostile test names', () => {
  const markdown = renderMarkdownReport(report)
  const lines = markdown.split('\n')

  test('every line is one the renderer writes: no name starts a line of its own', () => {
    const structure = /^(\| .*\|| \|---.*|\|---.*|<!-- vitest-memory-budget -->|\*\*Memory:\*\* .*|```(mermaid)?|xychart-beta|  (title|x-axis|y-axis|bar) .*|#1 .*|<details><summary>All \d+ measured tests<\/summary>|<\/details>|Budget patterns that matched no test: .*|native: not measured in the compared figures of \d+ tests .*|)$/
    expect(lines.filter(line => !structure.test(line))).toEqual([])
    expect(lines[0]).toBe(COMMENT_MARKER)
  })

  test('each table keeps its column count on every row', () => {
    const tables = markdown.split(/\n(?!\|)/).map(block => block.split('\n').filter(line => line.startsWith('|'))).filter(rows => rows.length > 0)
    expect(tables).toHaveLength(2)
    for (const [header, ...rows] of tables) {
      const columns = header!.split('|').length
      expect(rows.filter(row => row.split('|').length !== columns)).toEqual([])
    }
  })

  test('no raw HTML, comment, mention or Markdown from a name survives', () => {
    // Everything from a name is in the first cell of a row, or in the chart's legend.
    const fromNames = [
      ...lines.filter(line => line.startsWith('| ') && !line.startsWith('| test |')).map(line => line.split(' | ')[0]!.slice(2)),
      ...lines.filter(line => line.startsWith('#1 ')).flatMap(line => line.split('<br>')),
    ]
    expect(fromNames.length).toBeGreaterThan(NAMES.length * 2)
    for (const text of fromNames) expect(text).not.toMatch(/[<>|`*_[\]()~\\]|@\w|&(?!#\d+;)|!\[/)
    // Budget patterns are shown as code, where nothing is markup: each must stay one whole code span.
    const patterns = lines.find(line => line.startsWith('Budget patterns that matched no test: '))!
    expect(patterns).toMatch(/^Budget patterns that matched no test: `[^`]*`(, `[^`]*`)*$/)
    const outsideCode = markdown.replace(patterns, '')
    expect(outsideCode.match(/<!--/g)).toHaveLength(1)
    expect(outsideCode).not.toMatch(/<(?!\/?(details|summary)>|br>|!-- vitest-memory-budget -->)|@\w/)
  })

  test('the names read back as written, with line breaks as spaces, and very long ones cut', () => {
    const cells = lines.filter(line => line.startsWith('| ') && line.endsWith(' |') && !line.includes(' | total | heap')).map(line => decode(line.split(' | ')[0]!.slice(2)))
    for (const name of NAMES) {
      const expected = labelOf(name).replace(/[\r\n\u2028\u2029]+/g, ' ')
      const shown = Array.from(expected).length > 300 ? `${Array.from(expected).slice(0, 300).join('')}…` : expected
      expect(cells, name).toContain(shown)
    }
  })

  test('stays under GitHub\'s limit however long the names', () => {
    const long = Array.from({ length: 20 }, (_, i) => `${i} ${'|<@`'.repeat(25_000)}`)
    const text = renderMarkdownReport(hostileReport(long))
    expect(text.length).toBeLessThan(MARKDOWN_LIMIT)
    expect(text).toContain('#10 ')
  })
})

describe('renderAnnotations with hostile test names', () => {
  const annotations = renderAnnotations(report)
  const unescape = (text: string) => text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')

  test('each annotation is one line, its properties intact, so no name can start a command', () => {
    // A warning for each regressed test, an error for each over budget, and more for a crash.
    expect(annotations.length).toBeGreaterThanOrEqual(NAMES.length + Math.ceil(NAMES.length / 2))
    for (const annotation of annotations) {
      expect(annotation).not.toMatch(/[\r\n]/)
      expect(annotation).toMatch(/^::(error|warning) file=[^:,]+,line=\d+,title=[^:,]+::/)
    }
  })

  test('the file and the name read back exactly once GitHub unescapes them', () => {
    for (const annotation of annotations) {
      const [, file] = /file=([^,]+)/.exec(annotation)!
      expect(unescape(file!)).toBe(FILE)
    }
    const messages = annotations.map(annotation => unescape(annotation.slice(annotation.indexOf('::', 2) + 2)))
    for (const name of NAMES) expect(messages.some(message => message.startsWith(`${name}: total `))).toBe(true)
  })
})

describe('renderJsonReport with hostile test names', () => {
  test('round-trips every name exactly, through the text and through a file', () => {
    const text = renderJsonReport(report)
    expect(JSON.parse(text).tests.map((t: { name: string }) => t.name)).toEqual(report.tests.map(t => t.name))
    const path = join(mkdtempSync(join(tmpdir(), 'names-')), 'report.json')
    writeFileSync(path, text)
    expect(readReport(path).tests.map(t => t.name)).toEqual(report.tests.map(t => t.name))
  })
})

describe('renderTerminalSummary with hostile test names', () => {
  const text = renderTerminalSummary(report, { top: NAMES.length, comparedWith: 'base\n\u001B[2Jreport.json' })

  test('has no raw control character, and no name breaks a line', () => {
    expect(text).not.toMatch(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/)
    for (const line of text.split('\n').filter(line => line.trim() !== '')) expect(line).toMatch(/^ /)
  })

  test('shows line breaks and escape sequences escaped, and the rest as written', () => {
    expect(text).toContain('newline\\nsecond line')
    expect(text).toContain('carriage\\rreturn and crlf\\r\\nthird')
    expect(text).toContain('escape \\u001b[31mred\\u001b[0m bell \\u0007 nul \\u0000 del \\u007f c1 \\u009b')
    expect(text).toContain('an override \\u202etxt.exe')
    expect(text).toContain('against base\\n\\u001b[2Jreport.json')
    for (const name of ['pipe | in | the | name', '100% done', 'emoji 🧨 family 👩‍👩‍👧 flag 🇫🇷', 'zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFFbom\u2060joiner'])
      expect(text).toContain(labelOf(name))
  })
})

describe('hostile test names as baseline keys', () => {
  test('survive a write and a read, and an update, exactly', () => {
    const figures = (total: number) => ({ total, heap: 1, external: 2, rss: 3, retained: 4, allocated: 5 })
    const tests = Object.fromEntries(report.tests.filter(t => t.id !== 'crashed').map((t, i) => [testKey(t), figures(i)]))
    const path = join(mkdtempSync(join(tmpdir(), 'names-')), 'baseline.json')
    writeFileSync(path, serializeBaseline(new Map(Object.entries(tests))))
    const read = readBaseline(path)!
    expect(read.tests).toEqual(tests)
    expect(Object.keys(read.tests).sort()).toEqual(Object.keys(tests).sort())
    const updated = updateBaseline(read, { measured: new Map([[labelOf('__proto__'), figures(99)]]), present: new Set(Object.keys(tests)), fullRun: true, mode: 'all' })
    expect(updated.size).toBe(NAMES.length)
    writeFileSync(path, serializeBaseline(updated))
    const written = readBaseline(path)!.tests
    expect(Object.keys(written)).toHaveLength(NAMES.length)
    expect(written[labelOf('__proto__')]).toEqual(figures(99))
    expect(Object.getPrototypeOf(written)).toBe(Object.prototype)
  })
})

describe('hostile test names as heap profile file names', () => {
  test('each is one safe file name, in the directory, distinct from every other', () => {
    const names = NAMES.map(name => heapProfileName(FILE, name, 'toStayUnder-1'))
    for (const name of names) {
      expect(name).toMatch(/^[\w.-]+\.heapprofile$/)
      expect(name).not.toMatch(/^\./)
      // Well under the 255 bytes most file systems allow.
      expect(name.length).toBeLessThan(200)
    }
    expect(new Set(names).size).toBe(NAMES.length)
    // The same test and file give the same name run after run, so a profile is replaced, not piled up.
    expect(heapProfileName(FILE, NAMES[0]!, 'test')).toBe(heapProfileName(FILE, NAMES[0]!, 'test'))
    expect(heapProfileName(FILE, NAMES[0]!, 'test')).not.toBe(heapProfileName(FILE, NAMES[0]!, 'toStayUnder-1'))
    expect(heapProfileName('..', '..', 'test')).toMatch(/^test--[0-9a-f]{10}-test\.heapprofile$/)
  })
})

describe('hostile text in the environment of a baseline or base report', () => {
  // A baseline is a file anyone can edit in a pull request: its environment strings are input too.
  const hostile = NAMES.slice(0, 14).join(' ')
  const drifted = compareReport(buildReport([], environment, [], new Date(0)), {}, testKey, resolveRegressionRules(undefined), { ...environment, node: hostile, v8: `99.0 ${hostile}`, workerFlags: ['--x\n::error::forged'] })

  test('the terminal shows it on one line, control characters escaped', () => {
    const line = renderTerminalSummary(drifted, { top: 0 }).split('\n').find(l => l.includes('⚠'))!
    expect(line).toContain('V8 99.0 pipe | in | the | name')
    expect(line).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E]/)
    expect(renderTerminalSummary(drifted, { top: 0 }).split('\n').filter(l => l.includes('forged'))).toHaveLength(1)
  })

  test('Markdown keeps it inside the warning block, with no markup', () => {
    const lines = renderMarkdownReport(drifted).split('\n')
    const at = lines.indexOf('> [!WARNING]')
    expect(lines[at + 1]).toMatch(/^> Compared with figures from another V8 major/)
    expect(lines[at + 2]).toBe('')
    expect(lines[at + 1]!.slice(2)).not.toMatch(/[<>|`*_[\]()~\\]|@\w|&(?!#\d+;)/)
  })

  test('GitHub gets one warning on one line, its properties intact, so no string can start a command', () => {
    const [warning, ...rest] = renderAnnotations(drifted)
    expect(rest).toEqual([])
    expect(warning).toMatch(/^::warning title=Memory compared across environments::Compared with/)
    expect(warning).not.toMatch(/[\r\n]/)
    expect(warning).toContain('worker flags --x%0A::error::forged')
  })
})
