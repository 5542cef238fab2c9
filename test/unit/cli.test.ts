import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, test } from 'vitest'
import { mergeReports, runCli } from '../../src/cli/run.js'
import { readReport } from '../../src/report/files.js'
import { buildReport, type CollectedTest, type MemoryReport, type ReportEnvironment } from '../../src/report/model.js'
import { renderMarkdownReport } from '../../src/render/markdown.js'
import { renderJsonReport } from '../../src/render/json.js'
import { sampleProfile } from '../helpers/sample-profile.js'
import { environment, memory } from '../helpers/sample-report.js'

const MB = 1e6
const dir = mkdtempSync(join(tmpdir(), 'cli-'))
const schema = JSON.parse(readFileSync(new URL('../../schema/memory-report.v1.schema.json', import.meta.url), 'utf8'))

function writeReport(name: string, totals: Record<string, number>, file = 'test/a.test.ts', measuredIn: ReportEnvironment = environment): string {
  const tests: CollectedTest[] = Object.entries(totals).map(([test, total], i) => ({ id: `${file}-${i}`, project: '', file, name: test, line: i + 1, state: 'passed', memory: memory(total) }))
  const path = join(dir, name)
  writeFileSync(path, renderJsonReport(buildReport(tests, measuredIn, [], new Date('2026-11-23T12:00:00Z'))))
  return path
}

function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  const code = runCli(argv, { stdout: text => (stdout += text), stderr: text => (stderr += text), colors: false })
  return { code, stdout, stderr }
}

/**
 * Rows of a `test.each` over command lines, each with a title that leaves out the temporary folder:
 * Stryker runs a mutant's tests by their titles, and each load of this file makes a new folder, so
 * a title holding it matched no test and such rows never ran against a mutant.
 */
function titled<T>(rows: ReadonlyArray<readonly [string[], T]>): Array<[string, string[], T]> {
  return rows.map(([argv, expected]) => [JSON.stringify(argv.map(arg => arg.replaceAll(dir, '<tmp>'))), argv, expected])
}

const base = writeReport('base.json', { parses: 20 * MB, streams: 10 * MB, steady: 5 * MB })
const head = writeReport('head.json', { parses: 30 * MB, streams: 5 * MB, steady: 5 * MB })

describe('vitest-memory-budget compare', () => {
  test('prints what regressed and improved, and exits 0', () => {
    const run = cli('compare', base, head)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(' Memory  3 tests measured · 1 regressed · 1 improved')
    expect(run.stdout).toContain(`Regressed (1) against ${base}\n  ↑ test/a.test.ts > parses: total 20 MB → 30 MB (+50.0%)`)
    expect(run.stdout).toContain('↓ test/a.test.ts > streams: total 10 MB → 5 MB (-50.0%)')
  })

  test('--fail-on-regression exits 1 on a regression, 0 without one', () => {
    expect(cli('compare', base, head, '--fail-on-regression').code).toBe(1)
    expect(cli('compare', base, base, '--fail-on-regression').code).toBe(0)
  })

  test('across V8 majors, a regression is shown and marked, and fails only with --across-environments', () => {
    const onNextV8 = writeReport('head-v8-12.json', { parses: 30 * MB, streams: 5 * MB, steady: 5 * MB }, 'test/a.test.ts', { ...environment, node: 'v22.12.0', v8: '12.4.254.21-node.33' })
    const markdown = join(dir, 'drift.md')
    const run = cli('compare', base, onNextV8, '--fail-on-regression', '--markdown', markdown)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('⚠ Compared with figures from another V8 major or other worker flags (Node v20.20.2 → v22.12.0, V8 11.3.244.8-node.33 → 12.4.254.21-node.33)')
    expect(run.stdout).toContain(`Regressed (1) against ${base}, not counted: measured in another environment\n  ↑ test/a.test.ts > parses: total 20 MB → 30 MB (+50.0%)`)
    expect(readFileSync(markdown, 'utf8')).toContain('> [!WARNING]\n> Compared with figures from another V8 major')
    expect(cli('compare', base, onNextV8, '--fail-on-regression', '--across-environments').code).toBe(1)
    expect(cli('compare', base, onNextV8, '--across-environments').code).toBe(0)
  })

  test('--threshold and --min-delta change what counts', () => {
    expect(cli('compare', base, head, '--threshold', '60%').stdout).toContain(' Memory  3 tests measured\n')
    expect(cli('compare', base, head, '--min-delta', '20MB').stdout).not.toContain('Regressed')
  })

  test('--markdown writes the pull-request comment', () => {
    const out = join(dir, 'comment.md')
    const run = cli('compare', base, head, '--markdown', out)
    expect(run.stdout).toContain(`Markdown written to ${out}`)
    const markdown = readFileSync(out, 'utf8')
    expect(markdown.startsWith('<!-- vitest-memory-budget -->\n')).toBe(true)
    expect(markdown).toContain('| test/a.test.ts &#62; parses | total | 20 MB | 30 MB | 🔺 +50.0% |')
  })
})

describe('vitest-memory-budget merge', () => {
  test('joins the shards of a run into one valid report', () => {
    const shard1 = writeReport('shard-1.json', { a: 1 * MB }, 'test/one.test.ts')
    const shard2 = writeReport('shard-2.json', { b: 2 * MB, c: 3 * MB }, 'test/two.test.ts')
    const out = join(dir, 'merged.json')
    const run = cli('merge', shard1, shard2, '-o', out)
    expect(run).toMatchObject({ code: 0, stdout: `Merged 2 reports (3 tests) into ${out}\n` })
    const merged = JSON.parse(readFileSync(out, 'utf8'))
    expect(merged.tests.map((t: { name: string }) => t.name)).toEqual(['a', 'b', 'c'])
    expect(merged.summary).toMatchObject({ tests: 3, measured: 3 })
    const validate = new Ajv2020({ strict: true, validateFormats: false }).compile(schema)
    expect(validate(merged), JSON.stringify(validate.errors)).toBe(true)
  })

  test('refuses overlapping shards', () => {
    const run = cli('merge', base, base, '-o', join(dir, 'twice.json'))
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^vitest-memory-budget: .*base\.json: test "test\/a\.test\.ts > parses" is also in .*base\.json; shards of one run do not overlap\.\n$/)
  })

  // Shards of one run share Node, Vitest and the deterministic setting; each alone is enough to refuse,
  // and nothing is written. The last shard differing checks that every shard is compared, not only two.
  test.each([
    ['another Node', { node: 'v22.12.0' }, 'Node v22.12.0, Vitest 4.1.12'],
    ['another Vitest', { vitest: '5.1.0' }, 'Node v20.20.2, Vitest 5.1.0'],
    ['deterministic off', { deterministic: false }, 'Node v20.20.2, Vitest 4.1.12'],
  ])('refuses a shard measured with %s', (_, differs, named) => {
    const one = writeReport('env-1.json', { a: 1 * MB }, 'test/one.test.ts')
    const two = writeReport('env-2.json', { b: 1 * MB }, 'test/two.test.ts')
    const three = writeReport('env-3.json', { c: 1 * MB }, 'test/three.test.ts', { ...environment, ...differs })
    const out = join(dir, 'env-merged.json')
    const run = cli('merge', one, two, three, '-o', out)
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`vitest-memory-budget: ${three}: comes from another environment (${named}) than ${one} (Node v20.20.2, Vitest 4.1.12); shards of one run share one.\n`)
    expect(existsSync(out)).toBe(false)
  })

  test('shards on another platform or with other worker flags still merge: only Node, Vitest and determinism must match', () => {
    const one = writeReport('os-1.json', { a: 1 * MB }, 'test/one.test.ts')
    const two = writeReport('os-2.json', { b: 1 * MB }, 'test/two.test.ts', { ...environment, platform: 'darwin', arch: 'arm64' })
    expect(cli('merge', one, two, '-o', join(dir, 'os-merged.json')).code).toBe(0)
  })
})

describe('bad input is one clear line and exit code 2', () => {
  writeFileSync(join(dir, 'corrupt.json'), '{"schemaVersion": 1, "tests": [')
  writeFileSync(join(dir, 'vitest.json'), '{"numTotalTests": 3, "testResults": []}')
  writeFileSync(join(dir, 'future.json'), '{"schemaVersion": 7}')

  test.each(titled([
    [['compare', join(dir, 'missing.json'), head], /missing\.json: no such file\.$/],
    [['compare', join(dir, 'corrupt.json'), head], /corrupt\.json: not valid JSON, so not a vitest-memory-budget report/],
    [['compare', join(dir, 'vitest.json'), head], /vitest\.json: not a vitest-memory-budget report \(it has no schemaVersion\)\.$/],
    [['compare', join(dir, 'future.json'), head], /future\.json: vitest-memory-budget report schema version 7 is not the one this version of vitest-memory-budget reads \(1\); upgrade the package\.$/],
    [['compare', base], /^vitest-memory-budget: compare takes two reports, base and head; got 1\./],
    [['compare', base, head, '--treshold', '5%'], /Unknown option '--treshold'/],
    [['compare', base, head, '--threshold', 'lots'], /Invalid --threshold: "lots"\. Expected a fraction like 0\.1 or a percentage like '10%'\.$/],
    [['compare', base, head, '--min-delta', '5 megs'], /Invalid --min-delta: "5 megs"\./],
    [['compare', base, head, '--top=-3'], /Invalid --top: "-3"\./],
    [['merge', base], /merge needs -o <file>/],
    [['merge', '-o', join(dir, 'x.json')], /merge needs at least one report/],
    [['html', base], /html needs -o <file>, where to write the page\. See 'vitest-memory-budget html --help'\.$/],
    [['html', base, head, '-o', join(dir, 'x.html')], /html takes one report; got 2\. See 'vitest-memory-budget html --help'\.$/],
    [['html', join(dir, 'vitest.json'), '-o', join(dir, 'x.html')], /vitest\.json: not a vitest-memory-budget report/],
    [['html', base, '-o', join(base, 'x.html')], /cannot write the --output file/],
    [['history', base, '--html', join(base, 'x.html')], /cannot write the --html file/],
    [['html', base, '--base', join(dir, 'missing.json'), '-o', join(dir, 'x.html')], /missing\.json: no such file\.$/],
    [['history'], /history needs at least one report, oldest first\./],
    [['history', base, join(dir, 'missing.json')], /missing\.json: no such file\.$/],
    [['history', base, join(dir, 'corrupt.json')], /corrupt\.json: not valid JSON/],
    [['history', base, dir], /: cannot read vitest-memory-budget report \(EISDIR\)\.$/],
    [['history', base, '--html', ''], /Invalid --html: ""\./],
    [['history', base, '--threshold', 'lots'], /Invalid --threshold: "lots"\./],
    [['history', base, '--markdown', join(base, 'x.md')], /cannot write the --markdown file/],
    [['frobnicate'], /Unknown command "frobnicate"\. Commands: compare, merge, html, markdown, history\./],
  ]))('%s', (_, argv, message) => {
    const run = cli(...argv)
    expect(run.code).toBe(2)
    expect(run.stderr.trimEnd()).toMatch(message)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('vitest-memory-budget html', () => {
  test('writes the report as a page with every test in its data', () => {
    const out = join(dir, 'memory.html')
    const run = cli('html', head, '-o', out)
    expect(run).toMatchObject({ code: 0, stdout: `HTML report (3 tests) written to ${out}\n` })
    const page = readFileSync(out, 'utf8')
    expect(page.startsWith('<!doctype html>')).toBe(true)
    const data = JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(page)![1]!) as { tests: Array<{ n: string, m: number[] }> }
    expect(data.tests.map(t => [t.n, t.m[0]])).toEqual([['parses', 30 * MB], ['streams', 5 * MB], ['steady', 5 * MB]])
  })

  test('draws the heap profiles the report lists, read from the current directory; a missing one is named, not fatal', () => {
    writeFileSync(join(dir, 'parses.heapprofile'), JSON.stringify(sampleProfile()))
    const listed = [relative(process.cwd(), join(dir, 'parses.heapprofile')), 'reports/profiles/gone.heapprofile']
    const tests: CollectedTest[] = [{ id: 'p', project: '', file: 'test/a.test.ts', name: 'parses', line: 1, state: 'failed', memory: memory(30 * MB), heapProfiles: listed }]
    const report = join(dir, 'profiled.json')
    writeFileSync(report, renderJsonReport(buildReport(tests, environment, [], new Date('2026-11-23T12:00:00Z'))))
    const out = join(dir, 'pages/of/profiled.html')
    expect(cli('html', report, '-o', out)).toMatchObject({ code: 0, stderr: '' })
    const data = JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(readFileSync(out, 'utf8'))![1]!) as { frames: Array<[string, string, number]>, tests: Array<{ a: Array<number[] | string>, h: string[] }> }
    const [drawn, missing] = data.tests[0]!.a
    // The root (50 MB in kB) and, heaviest under runTest, keepArrays (42 MB).
    expect((drawn as number[]).slice(0, 5)).toEqual([1000, 0, 0, 0, 50_000])
    expect(data.frames[(drawn as number[])[9]!]).toEqual(['keepArrays', 'profiled.test.ts', 4])
    expect(missing).toBe('profile not readable: no such file')
    // Linked from the page's folder back to the current directory, where the report's paths start.
    expect(data.tests[0]!.h).toEqual(listed.map(path => `${relative(join(dir, 'pages/of'), process.cwd())}/${path}`))
  })

  test('--base compares with another report first, so the page marks what changed', () => {
    const out = join(dir, 'compared.html')
    expect(cli('html', head, '--base', base, '-o', out).code).toBe(0)
    const data = JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(readFileSync(out, 'utf8'))![1]!) as { summary: { regressed: number, improved: number }, tests: Array<{ n: string, base: number, c: unknown[] }> }
    expect(data.summary).toMatchObject({ regressed: 1, improved: 1 })
    expect(data.tests.find(t => t.n === 'parses')).toMatchObject({ base: 20 * MB, c: [['total', 10 * MB, 0.5], ['heap', 2.5 * MB, 0.5], ['external', 7.5 * MB, 0.5], ['native', 1.25 * MB, 0.5], ['allocated', 20 * MB, 0.5]] })
  })
})

// Issue 26, item 15: a first pull request has no base report; compared with itself, its comment
// read "0 regressed · No test changed", like a real comparison.
describe('vitest-memory-budget markdown', () => {
  test('writes the report as it is, as the markdown option does, with no comparison', () => {
    const out = join(dir, 'comment.md')
    expect(cli('markdown', head, '-o', out)).toMatchObject({ code: 0, stderr: '', stdout: `Markdown (3 tests) written to ${out}\n` })
    const written = readFileSync(out, 'utf8')
    expect(written).toBe(renderMarkdownReport(readReport(head)))
    expect(written).toContain('**Memory:** 3 tests measured')
    expect(written).not.toMatch(/regressed|No test changed/)
  })

  test.each(titled([
    [['markdown', head], /markdown needs -o <file>, where to write the Markdown\. See 'vitest-memory-budget markdown --help'\.$/],
    [['markdown', '-o', join(dir, 'x.md')], /markdown takes one report; got 0\. See 'vitest-memory-budget markdown --help'\.$/],
    [['markdown', head, base, '-o', join(dir, 'x.md')], /markdown takes one report; got 2/],
    [['markdown', head, '--base', base, '-o', join(dir, 'x.md')], /Unknown option '--base'/],
  ]))('%s is a one-line usage error', (_, argv, message) => {
    const run = cli(...argv)
    expect(run.code).toBe(2)
    expect(run.stderr.trimEnd()).toMatch(message)
  })
})

describe('vitest-memory-budget history', () => {
  const third = writeReport('third.json', { parses: 31 * MB, steady: 5 * MB, added: 2 * MB })

  test('prints the tests that changed across the runs, with a sparkline each, gaps where a test was missing', () => {
    const run = cli('history', base, head, third)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('History of 3 runs: 4 tests, 3 changed.\n')
    // Issue 26, item 20: columns for a terminal, names as written, not Markdown with HTML entities.
    expect(run.stdout).toContain([
      '  trend  first   last  change  test',
      '  ▁▇█    20 MB  31 MB  +55.0%  test/a.test.ts > parses',
      '  █▁·    10 MB   5 MB  -50.0%  test/a.test.ts > streams  (gone after run 2)',
      '  ··▄     2 MB   2 MB    0.0%  test/a.test.ts > added  (new in run 3)',
    ].join('\n'))
    expect(run.stdout).not.toMatch(/&#\d+;|\|/)
    expect(run.stdout).not.toContain('steady')
  })

  test('--threshold and --min-delta change what counts as changed', () => {
    expect(cli('history', base, head, third, '--threshold', '60%').stdout).toContain('4 tests, 2 changed')
    expect(cli('history', base, head, third, '--min-delta', '8MB').stdout).toContain('4 tests, 3 changed')
    expect(cli('history', base, head, third, '--min-delta', '12MB').stdout).toContain('4 tests, 2 changed')
  })

  test('--html alone writes the page and prints no table', () => {
    const html = join(dir, 'history-only.html')
    expect(cli('history', base, head, third, '--html', html).stdout).toBe(`History of 3 runs: 4 tests, 3 changed.\nHTML written to ${html}\n`)
  })

  test('--markdown alone writes the comment and prints no table', () => {
    const markdown = join(dir, 'history-only.md')
    expect(cli('history', base, head, third, '--markdown', markdown).stdout).toBe(`History of 3 runs: 4 tests, 3 changed.\nMarkdown written to ${markdown}\n`)
  })

  test('--html and --markdown write the files instead', () => {
    const html = join(dir, 'history.html')
    const markdown = join(dir, 'history.md')
    const run = cli('history', base, head, third, '--html', html, '--markdown', markdown)
    expect(run.stdout).toBe(`History of 3 runs: 4 tests, 3 changed.\nHTML written to ${html}\nMarkdown written to ${markdown}\n`)
    expect(readFileSync(markdown, 'utf8')).toContain('▁▇█')
    const data = JSON.parse(/id="page-data">(.*?)<\/script>/s.exec(readFileSync(html, 'utf8'))![1]!) as { kind: string, runs: Array<{ label: string }>, tests: Array<{ key: string, values: Array<number | null> }> }
    expect(data.kind).toBe('history')
    expect(data.runs.map(r => r.label)).toEqual([base, head, third])
    expect(data.tests.find(t => t.key === 'test/a.test.ts > streams')!.values).toEqual([10 * MB, 5 * MB, null])
  })
})

describe('--help', () => {
  test.each([[[]], [['--help']], [['compare', '--help']], [['merge', '-h']], [['html', '--help']], [['history', '-h']], [['markdown', '--help']]])('%j shows usage', (argv) => {
    const run = cli(...argv)
    expect(run.stdout).toMatch(/^Usage: vitest-memory-budget/)
    expect(run.code).toBe(argv.length === 0 ? 2 : 0)
  })

  test('merge sends vitest --shard\'s blobs to vitest --merge-reports, as the README does', () => {
    const help = cli('merge', '--help').stdout
    expect(help).toContain('For vitest --shard with --reporter=blob,\n\'vitest --merge-reports\' makes the whole report')
    expect(help).not.toMatch(/shards of one run \(vitest --shard/)
  })
})

// What a command line can hold that the config cannot: bare numbers as text, empty paths, control
// characters; and what the commands say back, word for word.
describe('command-line values', () => {
  test('a bare number means what it means in the config: a fraction for --threshold, bytes for --min-delta', () => {
    // The regression is +50%: counted above a threshold of 0.4, not of 0.6.
    expect(cli('compare', base, head, '--threshold', '0.4').stdout).toContain('1 regressed')
    expect(cli('compare', base, head, '--threshold', '0.6').stdout).toContain(' Memory  3 tests measured\n')
    // Its allocation grew most, by 20 MB: counted above 19,999,999 bytes, not above 20,000,000.
    expect(cli('compare', base, head, '--min-delta', '19999999').stdout).toContain('1 regressed')
    expect(cli('compare', base, head, '--min-delta', '20000000').stdout).not.toContain('regressed')
  })

  test('a bare number of several digits is a number too: --threshold 10 is read as 1000%, and the error says to write 10%', () => {
    expect(cli('compare', base, head, '--threshold', '10')).toEqual({ code: 2, stdout: '', stderr: 'vitest-memory-budget: Invalid --threshold: 10. Expected a fraction like 0.1 or a percentage like \'10%\': a plain number is a fraction of the base, so 10 would be 1000%. Write \'10%\' for 10 percent, or \'1000%\' to allow that much.\n' })
  })

  test('digits enough to overflow are shown as typed, not as Infinity', () => {
    const digits = '9'.repeat(400)
    const run = cli('compare', base, head, '--min-delta', digits)
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^vitest-memory-budget: Invalid --min-delta: "9{60}…" \(400 characters\)\. Expected a number of bytes/)
  })

  test('--top sets the rows of the heaviest tests, a whole number only', () => {
    expect(cli('compare', base, head, '--top', '1').stdout).toContain('… and 2 lighter tests')
    expect(cli('compare', base, head, '--top', '2').stdout).toContain('… and 1 lighter test ')
    expect(cli('compare', base, head).stdout).not.toContain('lighter')
    expect(cli('compare', base, head, '--top', '12')).toMatchObject({ code: 0, stderr: '' })
    // 10 rows by default.
    const eleven = writeReport('eleven.json', Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`t${i}`, (i + 1) * MB])))
    expect(cli('compare', eleven, eleven).stdout).toContain('… and 1 lighter test ')
    for (const top of ['3x', 'x3', '', ' 3', '1.5']) {
      const run = cli('compare', base, head, `--top=${top}`)
      expect(run.code, top).toBe(2)
      expect(run.stderr, top).toBe(`vitest-memory-budget: Invalid --top: ${JSON.stringify(top)}. Expected a whole number, 0 or more.\n`)
    }
  })

  test.each(titled([
    [['compare', ' ', head], 'Invalid base report path: " ". Expected a file path.'],
    [['compare', base, ''], 'Invalid head report path: "". Expected a file path.'],
    [['compare', base, head, '--markdown', ' '], 'Invalid --markdown: " ". Expected a file path.'],
    [['merge', base, '-o', ''], 'Invalid --output: "". Expected a file path.'],
    [['merge', base, '', '-o', join(dir, 'x.json')], 'Invalid report path: "". Expected a file path.'],
    [['html', ' ', '-o', join(dir, 'x.html')], 'Invalid report path: " ". Expected a file path.'],
    [['html', base, '-o', ''], 'Invalid --output: "". Expected a file path.'],
    [['html', base, '--base', '', '-o', join(dir, 'x.html')], 'Invalid --base: "". Expected a file path.'],
    [['markdown', base, '-o', ' '], 'Invalid --output: " ". Expected a file path.'],
    [['history', ''], 'Invalid report path: "". Expected a file path.'],
    [['history', base, '--markdown', ' '], 'Invalid --markdown: " ". Expected a file path.'],
  ]))('an empty path is refused, named: %s', (_, argv, message) => {
    expect(cli(...argv)).toEqual({ code: 2, stdout: '', stderr: `vitest-memory-budget: ${message}\n` })
  })

  test('a file that cannot be written names the option, the path and the system\'s code', () => {
    const out = join(base, 'x.md')
    // A file stands where its folder would be made (EEXIST here; another system may say ENOTDIR).
    const run = cli('markdown', head, '-o', out)
    expect(run).toMatchObject({ code: 2, stdout: '' })
    expect(run.stderr).toMatch(/^vitest-memory-budget: .*base\.json\/x\.md: cannot write the --output file \(E[A-Z]+\)\.\n$/)
  })

  test('a control character in a path stays visible and on one line', () => {
    const run = cli('compare', join(dir, 'new\nline.json'), head)
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`vitest-memory-budget: ${join(dir, 'new\\nline.json')}: no such file.\n`)
  })

  test('singular counts read as such', () => {
    const one = writeReport('one.json', { a: 1 * MB })
    const out = join(dir, 'one-merged.json')
    expect(cli('merge', one, '-o', out).stdout).toBe(`Merged 1 report (1 tests) into ${out}\n`)
    expect(cli('history', one).stdout).toMatch(/^History of 1 run: 1 tests, 0 changed\.\n/)
  })

  test.each([['help'], ['-h'], ['--help']])('%s shows the usage and exits 0; no command exits 2', (command) => {
    expect(cli(command)).toEqual({ code: 0, stdout: expect.stringMatching(/^Usage: vitest-memory-budget <command> \[options\]\n\nCommands:\n/), stderr: '' })
    expect(cli().code).toBe(2)
  })

  test('an error that is not the caller\'s (here, stdout failing) is thrown, not printed as a usage error', () => {
    let stderr = ''
    const broken = { stdout: () => { throw new Error('write EPIPE') }, stderr: (text: string) => (stderr += text), colors: false }
    expect(() => runCli(['--help'], broken)).toThrowError('write EPIPE')
    expect(() => runCli(['compare', base, head], broken)).toThrowError('write EPIPE')
    expect(stderr).toBe('')
  })

  test.each(['toString', 'constructor', '__proto__', 'hasOwnProperty'])('%s, a name every object has, is no command', (command) => {
    expect(cli(command, base)).toEqual({ code: 2, stdout: '', stderr: `vitest-memory-budget: Unknown command ${JSON.stringify(command)}. Commands: compare, merge, html, markdown, history. See 'vitest-memory-budget --help'.\n` })
  })
})

describe('mergeReports', () => {
  const shard = (name: string, file: string, change: (report: MemoryReport) => MemoryReport = r => r, createdAt = '2026-11-23T12:00:00Z') => {
    const tests: CollectedTest[] = [{ id: name, project: '', file, name, line: 1, state: 'passed', memory: memory(1 * MB) }]
    return { path: `${name}.json`, report: change(buildReport(tests, environment, [], new Date(createdAt))) }
  }
  const withSummary = (summary: Partial<MemoryReport['summary']>) => (report: MemoryReport): MemoryReport => ({ ...report, summary: { ...report.summary, ...summary } })

  test('a pattern is unmatched only if it matched in no shard', () => {
    const merged = mergeReports([
      shard('a', 'test/a.test.ts', withSummary({ unmatchedPatterns: ['nowhere', 'only-in-b', 'only-in-c'] })),
      shard('b', 'test/b.test.ts', withSummary({ unmatchedPatterns: ['nowhere', 'only-in-c'] })),
      shard('c', 'test/c.test.ts', withSummary({ unmatchedPatterns: ['nowhere', 'only-in-b'] })),
    ])
    expect(merged.summary.unmatchedPatterns).toEqual(['nowhere'])
  })

  test('compared if any shard was; each unmeasured project once; the first shard\'s drift; the latest time', () => {
    const drift = { differences: [{ field: 'v8' as const, base: '11.3', head: '12.4' }], incomparable: true, regressionsCount: false }
    const merged = mergeReports([
      shard('a', 'test/a.test.ts', withSummary({ unmeasuredProjects: [{ project: 'browser', reason: 'no CDP' }], environmentDrift: drift }), '2026-11-23T12:00:00Z'),
      shard('b', 'test/b.test.ts', withSummary({ compared: true, unmeasuredProjects: [{ project: 'browser', reason: 'no CDP' }, { project: 'edge', reason: 'no GC' }] }), '2026-11-23T12:05:00Z'),
      shard('c', 'test/c.test.ts', r => r, '2026-11-23T11:55:00Z'),
    ])
    expect(merged.summary).toMatchObject({ tests: 3, compared: true, unmeasuredProjects: [{ project: 'browser', reason: 'no CDP' }, { project: 'edge', reason: 'no GC' }], environmentDrift: drift })
    expect(merged.createdAt).toBe('2026-11-23T12:05:00.000Z')
    const plain = mergeReports([shard('a', 'test/a.test.ts'), shard('b', 'test/b.test.ts')])
    expect(plain.summary.compared).toBe(false)
    expect(plain.summary).not.toHaveProperty('environmentDrift')
  })

  test('a shard written before reports listed unmeasured projects adds none', () => {
    const older = (report: MemoryReport): MemoryReport => {
      const { unmeasuredProjects: _, ...summary } = report.summary
      return { ...report, summary }
    }
    expect(mergeReports([shard('a', 'test/a.test.ts', older), shard('b', 'test/b.test.ts', older)]).summary.unmeasuredProjects).toEqual([])
  })

  test('the tests of every shard, in the order of their files, whichever shard came first', () => {
    const merged = mergeReports([shard('z', 'test/z.test.ts'), shard('a', 'test/a.test.ts'), shard('m', 'test/m.test.ts')])
    expect(merged.tests.map(t => t.file)).toEqual(['test/a.test.ts', 'test/m.test.ts', 'test/z.test.ts'])
    expect(merged.environment).toEqual(environment)
  })
})
