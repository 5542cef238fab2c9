import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { afterAll, describe, expect, test } from 'vitest'
import { runCli } from '../../src/cli/run.js'
import { REGRESSION_METRICS, resolveRegressionRules } from '../../src/compare/rules.js'
import { toLeak } from '../../src/matchers/to-leak.js'
import { toAllocateUnder, toStayUnder } from '../../src/matchers/index.js'
import { measureAllocations } from '../../src/measure/allocations.js'
import { measureLeak } from '../../src/measure/leaks.js'
import { measureMemory } from '../../src/measure/measure-memory.js'
import { parseSize } from '../../src/measure/size.js'
import { resolveOptions } from '../../src/plugin/options.js'
import { readBaseline, readReport, ReportFileError, serializeBaseline, testKey } from '../../src/report/files.js'
import { buildReport, compareReport } from '../../src/report/model.js'
import { renderJsonReport } from '../../src/render/json.js'
import { printable } from '../../src/render/terminal.js'
import { DEEP_ERRORS, Fuzzer, JUNK_STRINGS, JUNK_VALUES, label, mentionOf } from '../helpers/fuzz.js'
import { environment, memory, sampleTests } from '../helpers/sample-report.js'

/** One malformed input, and what its error must say. */
interface Case {
  /** The input, for the list of failures. */
  input: string
  run: () => unknown
  /** Texts the message must contain: the option, the file or the value at fault. */
  names: string[]
  /** What the message must say is accepted. */
  accepts: RegExp
  kind?: new (...args: never[]) => Error
}

/** What is wrong with the error a case threw, or undefined when it is a clear one. */
function whatIsWrong(error: unknown, { names, accepts, kind = TypeError }: Case): string | undefined {
  if (error === undefined)
    return 'accepted'
  if (!(error instanceof kind))
    return `threw ${label(error)} instead of a ${kind.name}`
  const { message } = error
  if (DEEP_ERRORS.test(message))
    return 'an error from deep inside'
  if (/[\n\r]/.test(message))
    return 'a message over several lines'
  if (message.length > 600)
    return `a message of ${message.length} characters`
  const missing = names.find(name => !message.includes(name))
  if (missing !== undefined)
    return `no mention of ${label(missing)}`
  return accepts.test(message) ? undefined : 'nothing on what is accepted'
}

/** Runs every case; returns those whose error was not clear, each with what was wrong. */
async function unclear(cases: readonly Case[]): Promise<string[]> {
  const failures: string[] = []
  for (const c of cases) {
    let error: unknown
    try {
      await c.run()
    }
    catch (thrown) {
      error = thrown
    }
    const wrong = whatIsWrong(error, c)
    if (wrong)
      failures.push(`${c.input}: ${wrong} (${label(error instanceof Error ? error.message : '')})`)
  }
  return failures
}

async function expectClearErrors(cases: readonly Case[], atLeast: number): Promise<void> {
  // A generator that produced nothing would pass: each group must have tried its share.
  expect(cases.length).toBeGreaterThanOrEqual(atLeast)
  expect(await unclear(cases)).toEqual([])
}

const fuzz = new Fuzzer(0x6D656D)
const wrongValues = (isValid: (value: unknown) => boolean, extra: readonly unknown[] = []) =>
  [...JUNK_VALUES, ...JUNK_STRINGS, ...extra].filter(value => !isValid(value))

// ---------------------------------------------------------------------------------------------
// Sizes: mutations of sizes that parse, none of which may.

const VALID_SIZES = ['300MB', '1.5 GiB', '512kb', '.5kB', '64 mib', '2TB', '10 B']
const STRAY_CHARACTERS = ['x', '%', '-', '+', ',', 'e', '_', '$', '\u0000', '\u200B', '٣', '１', '🧨', '\u202E']
const NOT_UNITS = ['toString', 'constructor', 'valueOf', 'hasOwnProperty', 'megs', 'mi', 'ki', 'bytes', 'kibi', 'mb2', 'MBs', 'μB']

const sizeMutations: ReadonlyArray<(size: string) => string> = [
  size => size.slice(0, fuzz.int(size.length)),
  size => fuzz.insert(size, fuzz.pick(STRAY_CHARACTERS)),
  size => `${/^[\d.]+/.exec(size)![0]}${fuzz.pick(['', ' '])}${fuzz.pick(NOT_UNITS)}`,
  size => `-${size}`,
  // 400 digits overflow a double to Infinity.
  size => `${'9'.repeat(400)}${size.replace(/^[\d.]+/, '')}`,
  size => size.replace(/\d/g, digit => String.fromCharCode(0xFF10 + Number(digit))),
  size => size.replace(/^([\d.]+)/, '$1e2'),
  size => size.replace(/^([\d.]+) ?/, '$1  '),
]

const isSize = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0)
  || (typeof value === 'string' && /^(?:\d+(?:\.\d+)?|\.\d+)(?: ?(?:[kmgt]i?)?b| ?[kmgt])?$/i.test(value.trim()) && Number.isFinite(Number.parseFloat(value)))

function badSizes(count: number): unknown[] {
  // A cut can leave a size that parses ('300M', '300'): only the others are bad.
  const mutated = Array.from({ length: count }, (_, i) => sizeMutations[i % sizeMutations.length]!(fuzz.pick(VALID_SIZES))).filter(size => !isSize(size))
  return [...mutated, ...wrongValues(isSize)]
}

const ACCEPTED_SIZES = /Expected a number of bytes .*KiB, MiB, GiB, TiB/

describe('sizes', () => {
  test('mutations of valid sizes and values of other types are a TypeError naming them', async () => {
    // The generator's own check: what it starts from parses.
    for (const size of VALID_SIZES) expect(parseSize(size).bytes).toBeGreaterThan(0)
    await expectClearErrors(badSizes(80).map(size => ({
      input: label(size),
      run: () => parseSize(size as never, 'budget'),
      names: ['Invalid budget: ', mentionOf(size)],
      accepts: ACCEPTED_SIZES,
    })), 100)
  })
})

// ---------------------------------------------------------------------------------------------
// The plugin's options, budgets and regression rules.

const isPlainObject = (value: unknown) => typeof value === 'object' && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value))
const isPath = (value: unknown) => typeof value === 'string' && value.trim() !== '' && !value.includes('\0')
const isThreshold = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value < 1)
  || (typeof value === 'string' && /^\s*\d+(?:\.\d+)?\s?%\s*$/.test(value) && Number.isFinite(Number.parseFloat(value)))

/** Keys no options object accepts: typos of its own, and what would reach Object.prototype. */
function strangeKeys(known: readonly string[]): string[] {
  const typos = known.flatMap(key => [fuzz.typo(key), fuzz.typo(key)])
  return [...new Set([...typos, '__proto__', 'constructor', 'toString', ''])].filter(key => !known.includes(key))
}

/** An object with `key` as its own property, as JSON.parse makes it, even for `__proto__`. */
const withKey = (key: string, value: unknown = true): Record<string, unknown> => Object.defineProperty({}, key, { value, enumerable: true })

const PLUGIN_OPTIONS: Record<string, (value: unknown) => boolean> = {
  deterministic: value => typeof value === 'boolean',
  top: value => Number.isInteger(value) && (value as number) >= 0,
  silent: value => typeof value === 'boolean',
  outputFile: isPath,
  gcBeforeEachTest: value => value === 'auto' || value === 'always',
  baseline: value => value === false || isPath(value),
  markdown: isPath,
  html: isPath,
  profiles: isPath,
  annotations: value => value === true || value === false || value === 'auto',
}

describe('memoryBudget() options', () => {
  test('wrong values of each option are a TypeError naming the option and the value', async () => {
    const cases: Case[] = Object.entries(PLUGIN_OPTIONS).flatMap(([option, isValid]) => wrongValues(isValid).map(value => ({
      input: `${option}: ${label(value)}`,
      run: () => resolveOptions({ [option]: value } as never),
      names: [`option "${option}"`, mentionOf(value)],
      accepts: /must be (true or false|a whole number|a file path|a directory path|'auto' or 'always'|true, false or 'auto')/,
    })))
    cases.push(...wrongValues(isPlainObject).map(value => ({
      input: label(value),
      run: () => resolveOptions(value as never),
      names: ['memoryBudget() options', mentionOf(value)],
      accepts: /must be an object/,
    })))
    cases.push(...strangeKeys(Object.keys(PLUGIN_OPTIONS)).map(key => ({
      input: `key ${label(key)}`,
      run: () => resolveOptions(withKey(key) as never),
      names: [`Unknown memoryBudget() option ${JSON.stringify(key)}`],
      accepts: /Accepted: deterministic, budgets, top/,
    })))
    await expectClearErrors(cases, 200)
  })

  test('wrong budgets are a TypeError naming the key and the value', async () => {
    const patterns = ['**', 'src/**', 'test/a.test.ts > parses *']
    const metrics = ['total', 'heap', 'external', 'rss', 'retained']
    const cases: Case[] = wrongValues(isPlainObject).map(value => ({
      input: `budgets: ${label(value)}`,
      run: () => resolveOptions({ budgets: value } as never),
      names: ['option "budgets"', mentionOf(value)],
      accepts: /must be an object like/,
    }))
    for (const size of badSizes(30)) {
      const pattern = fuzz.pick(patterns)
      const metric = fuzz.pick(metrics)
      // An object is a budget per metric, checked below.
      if (!isPlainObject(size)) {
        cases.push({
          input: `${pattern}: ${label(size)}`,
          run: () => resolveOptions({ budgets: { [pattern]: size } } as never),
          names: [JSON.stringify(pattern), mentionOf(size)],
          accepts: typeof size === 'string' || typeof size === 'number' ? ACCEPTED_SIZES : /expected a size like '200MB' or an object with any of total/,
        })
      }
      cases.push({
        input: `${pattern}: { ${metric}: ${label(size)} }`,
        run: () => resolveOptions({ budgets: { [pattern]: { [metric]: size } } } as never),
        names: [`"${metric}"`, JSON.stringify(pattern), mentionOf(size)],
        accepts: ACCEPTED_SIZES,
      })
    }
    cases.push(...strangeKeys(metrics).map(metric => ({
      input: `metric ${label(metric)}`,
      run: () => resolveOptions({ budgets: { '**': withKey(metric, '1MB') } } as never),
      names: [`Unknown metric ${JSON.stringify(metric)}`, '"**"'],
      accepts: /Accepted: total, heap, external, rss, native, retained/,
    })))
    cases.push(...['', ' ', ' > parses', '** > ', '** >   ', ' >  > x'].map(pattern => ({
      input: `pattern ${label(pattern)}`,
      run: () => resolveOptions({ budgets: { [pattern]: '1MB' } }),
      names: [`Invalid budget pattern ${JSON.stringify(pattern)}`],
      accepts: /expected a file glob/,
    })), {
      input: 'an empty budget',
      run: () => resolveOptions({ budgets: { '**': {} } }),
      names: ['"**"'],
      accepts: /sets no metric\. Accepted: total/,
    })
    await expectClearErrors(cases, 100)
  })

  test('wrong regression rules are a TypeError naming the setting and the value', async () => {
    const regression = (value: unknown) => () => resolveOptions({ regression: value } as never)
    const cases: Case[] = wrongValues(value => value === undefined || isPlainObject(value)).map(value => ({
      input: `regression: ${label(value)}`,
      run: regression(value),
      names: ['option "regression"', mentionOf(value)],
      accepts: /must be an object like/,
    }))
    const rules: Array<[where: string, wrap: (rule: object) => object]> = [
      ['regression ', rule => rule],
      ...REGRESSION_METRICS.map((metric): [string, (rule: object) => object] => [`regression.metrics.${metric}.`, rule => ({ metrics: { [metric]: rule } })]),
    ]
    for (const [where, wrap] of rules) {
      for (const value of fuzz.sample(wrongValues(isThreshold, ['10', '10 percent', '-5%', '%', '10%%', '1e1%', `${'9'.repeat(400)}%`]), 8)) {
        cases.push({
          input: `${where}threshold: ${label(value)}`,
          run: regression(wrap({ threshold: value })),
          names: [`${where}threshold`, mentionOf(value)],
          accepts: /Expected a fraction like 0\.1 or a percentage like '10%'/,
        })
      }
      for (const value of fuzz.sample(badSizes(8), 8)) {
        cases.push({
          input: `${where}minDelta: ${label(value)}`,
          run: regression(wrap({ minDelta: value })),
          names: [`${where}minDelta`, mentionOf(value)],
          accepts: ACCEPTED_SIZES,
        })
      }
    }
    for (const metric of REGRESSION_METRICS) {
      for (const value of fuzz.sample(wrongValues(value => typeof value === 'boolean' || isPlainObject(value)), 4)) {
        cases.push({
          input: `regression.metrics.${metric}: ${label(value)}`,
          run: regression({ metrics: { [metric]: value } }),
          names: [`regression.metrics.${metric}`, mentionOf(value)],
          accepts: /must be true, false or an object like/,
        })
      }
      cases.push(...strangeKeys(['threshold', 'minDelta']).map(key => ({
        input: `regression.metrics.${metric} key ${label(key)}`,
        run: regression({ metrics: { [metric]: withKey(key, '10%') } }),
        names: [`Unknown regression.metrics.${metric} option ${JSON.stringify(key)}`],
        accepts: /Accepted: threshold, minDelta/,
      })))
    }
    cases.push(...wrongValues(value => value === undefined || isPlainObject(value)).map(value => ({
      input: `regression.metrics: ${label(value)}`,
      run: regression({ metrics: value }),
      names: ['regression.metrics', mentionOf(value)],
      accepts: /must be an object like/,
    })), ...strangeKeys(REGRESSION_METRICS).map(metric => ({
      input: `regression.metrics key ${label(metric)}`,
      run: regression({ metrics: withKey(metric) }),
      names: [`Unknown metric ${JSON.stringify(metric)} in regression.metrics`],
      accepts: /Accepted: total, heap, external, rss, native, retained, allocated/,
    })), ...strangeKeys(['threshold', 'minDelta', 'metrics', 'failOnRegression', 'acrossEnvironments']).map(key => ({
      input: `regression key ${label(key)}`,
      run: regression(withKey(key)),
      names: [`Unknown regression option ${JSON.stringify(key)}`],
      accepts: /Accepted: threshold, minDelta, metrics, failOnRegression, acrossEnvironments/,
    })), ...(['failOnRegression', 'acrossEnvironments'] as const).flatMap(name => wrongValues(value => typeof value === 'boolean').map(value => ({
      input: `${name}: ${label(value)}`,
      run: regression({ [name]: value }),
      names: [`regression.${name}`, mentionOf(value)],
      accepts: /must be true or false/,
    }))))
    await expectClearErrors(cases, 250)
  })
})

// ---------------------------------------------------------------------------------------------
// Matchers and measuring functions. The function passed would fail its call: if a case's options
// were accepted, the measurement stops at once instead of running for real.

const mustNotRun = () => {
  throw new Error('the function ran: the options were accepted')
}
const matcher = { isNot: false }
const isCount = (min: number) => (value: unknown) => Number.isInteger(value) && (value as number) >= min

interface Api {
  name: string
  call: (options: unknown) => Promise<unknown>
  /** Each option, and whether a value is one it accepts. */
  options: Record<string, (value: unknown) => boolean>
  accepts: RegExp
}

const LEAK_OPTIONS = { warmup: isCount(0), iterations: isCount(3), callsPerIteration: isCount(1), threshold: isSize }
const ALLOCATION_OPTIONS = { calls: isCount(1), warmup: isCount(0) }

const APIS: Api[] = [
  { name: 'toStayUnder()', call: options => toStayUnder.call(matcher, mustNotRun, '1MB', options as never), options: { metric: value => ['total', 'heap', 'external', 'rss'].includes(value as string) }, accepts: /Expected one of 'total', 'heap', 'external', 'rss'/ },
  { name: 'toAllocateUnder()', call: options => toAllocateUnder.call(matcher, mustNotRun, '1kB', options as never), options: ALLOCATION_OPTIONS, accepts: /Expected a whole number/ },
  { name: 'toLeak()', call: options => toLeak.call(matcher, mustNotRun, options as never), options: { ...LEAK_OPTIONS, snapshots: value => typeof value === 'string' && value.trim() !== '' }, accepts: /Expected a whole number|Expected a number of bytes|must be a folder path/ },
  { name: 'measureMemory', call: options => measureMemory(mustNotRun, options as never), options: { rss: value => ['auto', 'kernel', 'sampler'].includes(value as string), rssSampleInterval: value => typeof value === 'number' && Number.isFinite(value) && value > 0, allocationSites: value => typeof value === 'boolean' }, accepts: /Expected (one of 'auto'|a number of milliseconds above 0|true or false)/ },
  { name: 'measureLeak', call: options => measureLeak(mustNotRun, options as never), options: LEAK_OPTIONS, accepts: /Expected a whole number|Expected a number of bytes/ },
  { name: 'measureAllocations', call: options => measureAllocations(mustNotRun, options as never), options: ALLOCATION_OPTIONS, accepts: /Expected a whole number/ },
]

describe('matcher and measuring options', () => {
  test('wrong options are a TypeError naming the option and the value, before anything runs', async () => {
    const cases: Case[] = []
    for (const api of APIS) {
      for (const [option, isValid] of Object.entries(api.options)) {
        cases.push(...fuzz.sample(wrongValues(isValid), 10).map(value => ({
          input: `${api.name} ${option}: ${label(value)}`,
          run: () => api.call({ [option]: value }),
          names: [option, mentionOf(value)],
          accepts: api.accepts,
        })))
      }
      cases.push(...wrongValues(isPlainObject).map(value => ({
        input: `${api.name} options ${label(value)}`,
        run: () => api.call(value),
        names: [`${api.name} options must be an object`, mentionOf(value)],
        accepts: /must be an object/,
      })), ...strangeKeys(Object.keys(api.options)).map(key => ({
        input: `${api.name} key ${label(key)}`,
        run: () => api.call(withKey(key)),
        names: [`Unknown ${api.name} option ${JSON.stringify(key)}`],
        accepts: new RegExp(`Accepted: ${Object.keys(api.options).join(', ')}\\.$`),
      })))
    }
    for (const budget of fuzz.sample(badSizes(10), 20)) {
      cases.push(...[toStayUnder, toAllocateUnder].map(assertion => ({
        input: `${assertion.name}(${label(budget)})`,
        run: () => assertion.call(matcher, mustNotRun, budget as never),
        names: ['Invalid budget: ', mentionOf(budget)],
        accepts: ACCEPTED_SIZES,
      })))
    }
    await expectClearErrors(cases, 300)
  })
})

// ---------------------------------------------------------------------------------------------
// Report and baseline files.

const dir = mkdtempSync(join(tmpdir(), 'bad-input-'))
// Thousands of small files: not to be left behind by every run.
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let written = 0
function file(content: string): string {
  const path = join(dir, `${written++}.json`)
  writeFileSync(path, content)
  return path
}

/** Runs the CLI in this process; a crash is exit code -1, its message on stderr, for the list of failures. */
function cli(...argv: string[]) {
  let stdout = ''
  let stderr = ''
  try {
    const code = runCli(argv, { stdout: text => (stdout += text), stderr: text => (stderr += text), colors: false })
    return { code, stdout, stderr }
  }
  catch (error) {
    return { code: -1, stdout, stderr: `crashed: ${(error as Error).message}` }
  }
}

/** Whether the CLI refused the run as it should: exit code 2 and one line naming what was wrong. */
function refused(run: ReturnType<typeof cli>, names: readonly string[]): string | undefined {
  if (run.code !== 2)
    return `exit code ${run.code} (${label(run.stderr)})`
  if (!/^vitest-memory-budget: [^\n]+\n$/.test(run.stderr))
    return `stderr is not one line: ${label(run.stderr)}`
  const missing = names.find(name => !run.stderr.includes(name))
  return missing === undefined ? undefined : `no mention of ${label(missing)} in ${label(run.stderr)}`
}

/** The sample tests, one of them regressed against a baseline from another V8, one crashed with a heap profile and one the second of its name, so that every field of a report is there. */
const goodReport = compareReport(
  buildReport([...sampleTests, { id: 'd-1', project: '', file: 'test/d.test.ts', name: 'crashes', line: 1, state: 'failed', memory: undefined, crash: { heap: 1e6, external: 0, rss: 2e6, heapLimit: 4e9, v8HeapLimit: 4e9 }, heapProfiles: ['reports/profiles/d.test.ts--crashes--0123456789-toStayUnder-1.heapprofile'] }, { id: 'd-2', project: '', file: 'test/d.test.ts', name: 'crashes', occurrence: 2, line: 1, state: 'skipped', memory: undefined }], environment, ['**', 'typo/**'], new Date('2026-11-23T12:00:00Z')),
  { 'test/a.test.ts > parser > reads a header': { total: 20e6, heap: 5e6, external: 15e6, rss: 10e6, retained: 0, allocated: 40e6 } },
  testKey,
  resolveRegressionRules(undefined),
  { ...environment, v8: '12.4.254.21-node.33', workerFlags: ['--expose-gc'] },
)
const goodReportText = renderJsonReport(goodReport)
const goodPath = file(goodReportText)
const goodBaselineText = serializeBaseline(new Map([['test/a.test.ts > parses', { total: 1, heap: 2, external: 3, rss: 4, retained: 5, allocated: 6 }]]), environment)

/** Every place in a JSON value, as a path of keys and indexes. */
function places(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value !== 'object' || value === null)
    return [path]
  return [path, ...Object.entries(value).flatMap(([key, child]) => places(child, [...path, Array.isArray(value) ? Number(key) : key]))]
}

function replaced(root: unknown, path: ReadonlyArray<string | number>, value: unknown): unknown {
  if (path.length === 0)
    return value
  const copy = structuredClone(root) as Record<string | number, unknown>
  let parent = copy
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>
  parent[path.at(-1)!] = value
  return copy
}

/** Values of the wrong JSON type for what is at a place, and for enums a string that is not one of them. */
function wrongJson(original: unknown): unknown[] {
  const byType: Record<string, unknown[]> = {
    string: [5, true, [], {}, 'not-one-of-them'],
    number: ['5', true, [], {}, -1.5],
    boolean: ['true', 1, null],
    object: [[], 'x', 5, null],
  }
  return byType[Array.isArray(original) ? 'object' : original === null ? 'string' : typeof original] ?? []
}

/** Where a value sits, as the reader's message writes it: `tests[3].metrics.total`. */
const where = (path: ReadonlyArray<string | number>) => path.map(key => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('').replace(/^\./, '')

describe('report files', () => {
  const validate = new Ajv2020({ strict: true, validateFormats: false }).compile(JSON.parse(readFileSync(new URL('../../schema/memory-report.v1.schema.json', import.meta.url), 'utf8')))

  test('the report every case starts from is valid, and compares and merges', () => {
    expect(validate(goodReport), JSON.stringify(validate.errors)).toBe(true)
    expect(cli('compare', goodPath, goodPath).code).toBe(0)
    expect(cli('merge', goodPath, '-o', join(dir, 'merged.json')).code).toBe(0)
  })

  test('cut at every offset, a report or a baseline is a one-line error naming the file', () => {
    const failures: string[] = []
    for (const [text, read, what] of [[goodReportText, readReport, 'report'], [goodBaselineText, readBaseline, 'baseline']] as const) {
      for (let offset = 0; offset < text.length; offset++) {
        const path = file(text.slice(0, offset))
        const complete = text.slice(0, offset).trim() === text.trim()
        try {
          read(path)
          if (!complete)
            failures.push(`${what} cut at ${offset}: accepted`)
        }
        catch (error) {
          const message = (error as Error).message
          if (complete || !(error instanceof ReportFileError) || !message.startsWith(`${path}: not valid JSON`) || message.includes('\n'))
            failures.push(`${what} cut at ${offset}: ${label(message)}`)
        }
        // The CLI on every tenth: the reader is the same, what matters is that it exits cleanly.
        if (what === 'report' && offset % 10 === 0 && !complete) {
          const wrong = refused(cli('compare', path, goodPath), [path, 'not valid JSON'])
          if (wrong)
            failures.push(`compare on a report cut at ${offset}: ${wrong}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(written).toBeGreaterThan(goodReportText.length)
  })

  test('a value of the wrong type anywhere is refused exactly where the JSON Schema refuses it, naming the place', () => {
    const failures: string[] = []
    let tried = 0
    for (const place of places(goodReport)) {
      const original = place.reduce<unknown>((value, key) => (value as Record<string | number, unknown>)[key], goodReport)
      for (const value of wrongJson(original)) {
        const mutated = replaced(goodReport, place, value)
        const schemaAccepts = validate(mutated)
        const path = file(JSON.stringify(mutated))
        tried++
        let message: string | undefined
        try {
          readReport(path)
        }
        catch (error) {
          message = error instanceof ReportFileError ? error.message : `not a ReportFileError: ${(error as Error).message}`
        }
        const at = `${where(place) || 'the report'} = ${label(value)}`
        if (schemaAccepts !== (message === undefined)) {
          failures.push(`${at}: the schema ${schemaAccepts ? 'accepts' : 'refuses'} it, the reader ${message === undefined ? 'accepts' : `refuses: ${message}`}`)
          continue
        }
        // Both refuse: the message names the file and the place (the version is "schema version 2").
        const named = place[0] === 'schemaVersion' ? 'schema' : where(place)
        if (message !== undefined && (!message.startsWith(`${path}: `) || message.includes('\n') || !message.includes(named)))
          failures.push(`${at}: ${label(message)}`)
        // Accepted or not, the CLI ends cleanly: a table, or one line and exit code 2.
        for (const argv of [['compare', goodPath, path], ['compare', path, goodPath], ['merge', path, '-o', join(dir, 'out.json')]]) {
          const run = cli(...argv)
          const wrong = message === undefined ? (run.code === 0 ? undefined : `exit code ${run.code}: ${run.stderr}`) : refused(run, [path])
          if (wrong)
            failures.push(`${at}, ${argv[0]}: ${wrong}`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(tried).toBeGreaterThan(300)
  })

  test('a wrong schemaVersion or kind is a one-line error saying which version is read', () => {
    const versions = [0, 2, 1.5, -1, '1', null, true, [], {}, '1e400']
    const cases: Case[] = versions.flatMap((version) => {
      const text = version === '1e400' ? goodReportText.replace('"schemaVersion": 1', '"schemaVersion": 1e400') : JSON.stringify({ ...goodReport, schemaVersion: version })
      const report = file(text)
      const baseline = file(goodBaselineText.replace('"schemaVersion": 1', `"schemaVersion": ${version === '1e400' ? version : JSON.stringify(version)}`))
      return [
        { input: `report schemaVersion ${label(version)}`, run: () => readReport(report), names: [`${report}: `, 'schema'], accepts: /reads \(1\)|expected 1\)/, kind: ReportFileError },
        { input: `baseline schemaVersion ${label(version)}`, run: () => readBaseline(baseline), names: [`${baseline}: `, 'schema'], accepts: /reads \(1\)|expected 1\)/, kind: ReportFileError },
      ]
    })
    for (const kind of ['vitest-memory-budget report', 'Vitest-Memory-Budget baseline', '', null, 1]) {
      const path = file(goodBaselineText.replace('"vitest-memory-budget baseline"', JSON.stringify(kind)))
      cases.push({ input: `baseline kind ${label(kind)}`, run: () => readBaseline(path), names: [`${path}: `], accepts: /expected "kind": "vitest-memory-budget baseline"/, kind: ReportFileError })
    }
    return expectClearErrors(cases, 25)
  })

  test('a baseline entry that is not a test or not figures is a one-line error naming it', async () => {
    const baseline = JSON.parse(goodBaselineText)
    const figures = baseline.tests['test/a.test.ts > parses']
    const entries: Array<[key: string, value: unknown]> = [
      ...['__proto__', 'constructor', '', 'no separator', 'a >b'].map((key): [string, unknown] => [key, figures]),
      // Any number is a figure here: the baseline holds what the reporter measured, not always whole bytes.
      ...REGRESSION_METRICS.flatMap(metric => wrongJson(1).filter(value => typeof value !== 'number').map((value): [string, unknown] => ['test/a.test.ts > parses', { ...figures, [metric]: value }])),
      ...[null, [], 'big', 5, {}].map((value): [string, unknown] => ['test/a.test.ts > parses', value]),
    ]
    const cases: Case[] = entries.map(([key, value]) => {
      // Spliced into the text: an object literal cannot hold "__proto__" as its own key.
      const path = file(goodBaselineText.replace(/"tests": \{[^]*\n {2}\}/, `"tests": {${JSON.stringify(key)}: ${JSON.stringify(value)}}`))
      return { input: `${label(key)}: ${label(value)}`, run: () => readBaseline(path), names: [`${path}: `, JSON.stringify(key)], accepts: /test key \("file > test name"\)|not a set of figures \(total, heap/, kind: ReportFileError }
    })
    cases.push({ input: '1e400', run: () => readBaseline(file(goodBaselineText.replace('"total": 1', '"total": 1e400'))), names: ['"test/a.test.ts > parses"'], accepts: /not a set of figures/, kind: ReportFileError })
    await expectClearErrors(cases, 30)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  test('a baseline environment of the wrong shape is a one-line error naming the field; none at all is an older baseline, read', () => {
    const baseline = JSON.parse(goodBaselineText)
    const shapes: Array<[unknown, string]> = [
      [null, 'environment'],
      ['linux', 'environment'],
      [{ ...environment, v8: 12 }, 'environment.v8'],
      [{ ...environment, workerFlags: '--expose-gc' }, 'environment.workerFlags'],
      [{ ...environment, node: undefined }, 'environment.node'],
    ]
    const cases: Case[] = shapes.map(([value, named]) => {
      const path = file(JSON.stringify({ ...baseline, environment: value }))
      return { input: label(value), run: () => readBaseline(path), names: [`${path}: `, named], accepts: /expected (an object|a string|an array)/, kind: ReportFileError }
    })
    const { environment: _, ...older } = baseline
    expect(readBaseline(file(JSON.stringify(older)))!.environment).toBeUndefined()
    expect(readBaseline(file(goodBaselineText))!.environment).toEqual(environment)
    return expectClearErrors(cases, 5)
  })

  test('a file that is missing, a folder or not JSON is a one-line error naming it', () => {
    const folder = join(dir, 'a-folder.json')
    mkdirSync(folder)
    const cases: Array<[string, RegExp]> = [
      [join(dir, 'missing.json'), /no such file\.$/],
      [folder, /cannot read .* \(EISDIR\)\.$/],
      [file('\u0000\u0001'), /not valid JSON/],
      [file('{"a": 1,}'), /not valid JSON/],
      [file('\r\n\t'), /not valid JSON/],
    ]
    for (const [path, message] of cases) {
      for (const read of [readReport, readBaseline]) {
        if (read === readBaseline && path.endsWith('missing.json'))
          continue
        expect(() => read(path)).toThrowError(ReportFileError)
        expect(() => read(path)).toThrowError(message)
      }
      expect(refused(cli('compare', path, goodPath), [path])).toBeUndefined()
    }
  })

  test('a byte order mark before the JSON is read past', () => {
    expect(readReport(file(`\uFEFF${goodReportText}`))).toEqual(JSON.parse(goodReportText))
  })
})

// ---------------------------------------------------------------------------------------------
// The command line.

describe('the CLI', () => {
  test('wrong options, commands and paths are one line on stderr, exit code 2, naming what was wrong', () => {
    const runs: Array<{ argv: string[], names: string[] }> = []
    const option = (flag: string, value: string) => ({ argv: ['compare', goodPath, goodPath, `${flag}=${value}`], names: [flag, printable(mentionOf(value))] })
    for (const value of JUNK_STRINGS.filter(v => !/^\d+$/.test(v))) runs.push(option('--top', value))
    for (const value of [...JUNK_STRINGS, '10 percent', '-5%', '5 %%', '.5'].filter(v => !/^\d+(\.\d+)?$/.test(v) && !isThreshold(v))) runs.push(option('--threshold', value))
    // A plain number is a size in bytes on the command line.
    for (const value of [...JUNK_STRINGS, ...badSizes(20)].filter(v => typeof v === 'string' && !/^\d+(\.\d+)?$/.test(v)) as string[]) runs.push(option('--min-delta', value))
    for (const flag of ['--markdown', '--threshold', '--min-delta', '--top', '--fail-on-regression', '--across-environments', '--help']) {
      const typo = fuzz.typo(flag.slice(2))
      runs.push({ argv: ['compare', goodPath, goodPath, `--${typo}`], names: [`Unknown option '--${typo}'`] })
    }
    runs.push(
      { argv: ['compare', goodPath, goodPath, '--top'], names: ['--top'] },
      { argv: ['compare', goodPath, goodPath, '--fail-on-regression=yes'], names: ['--fail-on-regression'] },
      { argv: ['compare', goodPath, goodPath, '--across-environments=yes'], names: ['--across-environments'] },
      { argv: ['compare'], names: ['compare takes two reports', 'got 0'] },
      { argv: ['compare', goodPath], names: ['compare takes two reports', 'got 1'] },
      { argv: ['compare', goodPath, goodPath, goodPath], names: ['compare takes two reports', 'got 3'] },
      { argv: ['compare', '', goodPath], names: ['base report path', '""'] },
      { argv: ['compare', goodPath, '  '], names: ['head report path', '"  "'] },
      { argv: ['compare', goodPath, goodPath, '--markdown='], names: ['--markdown', '""'] },
      { argv: ['compare', goodPath, goodPath, '--markdown', join(goodPath, 'comment.md')], names: [join(goodPath, 'comment.md'), 'cannot write the --markdown file'] },
      { argv: ['compare', goodPath, goodPath, '--markdown', dir], names: [dir, 'cannot write the --markdown file (EISDIR)'] },
      { argv: ['merge', goodPath], names: ['merge needs -o'] },
      { argv: ['merge', '-o', join(dir, 'x.json')], names: ['merge needs at least one report'] },
      { argv: ['merge', goodPath, '-o', ''], names: ['--output', '""'] },
      { argv: ['merge', goodPath, '-o', join(goodPath, 'x.json')], names: ['cannot write the --output file'] },
      { argv: ['merge', goodPath, goodPath, '-o', join(dir, 'x.json')], names: ['shards of one run do not overlap'] },
      { argv: ['compare', `${goodPath}\n\u001B[31m`, goodPath], names: ['\\n\\u001b[31m: no such file'] },
    )
    for (const command of JUNK_STRINGS) runs.push({ argv: [command], names: ['Unknown command', printable(mentionOf(command)), 'Commands: compare, merge, html, markdown, history'] })

    const failures = runs.flatMap(({ argv, names }) => {
      const wrong = refused(cli(...argv), names)
      return wrong ? [`${label(argv.slice(0, 4).map(a => a.replace(dir, '<dir>')))}: ${wrong}`] : []
    })
    expect(failures).toEqual([])
    expect(runs.length).toBeGreaterThan(90)
  })

  test('a plain number is a fraction for --threshold and bytes for --min-delta, as in the config', () => {
    const base = file(renderJsonReport(buildReport([{ id: 'a', project: '', file: 'a.test.ts', name: 'grows', line: 1, state: 'passed', memory: memory(10e6) }], environment, [], new Date(0))))
    const head = file(renderJsonReport(buildReport([{ id: 'a', project: '', file: 'a.test.ts', name: 'grows', line: 1, state: 'passed', memory: memory(11e6) }], environment, [], new Date(0))))
    // +10% and +1 MB in total: over a threshold of 0.05 and a minDelta of 500000 bytes, not over 0.2.
    expect(cli('compare', base, head, '--threshold', '0.05', '--min-delta', '500000').stdout).toContain('Regressed (1)')
    expect(cli('compare', base, head, '--threshold', '0.2', '--min-delta', '500000').stdout).not.toContain('Regressed')
    // Issue 26, item 6: 5 would be 500%, under which these four +75% regressions went unreported.
    const five = cli('compare', base, head, '--threshold', '5')
    expect(five.code).toBe(2)
    expect(five.stderr).toBe('vitest-memory-budget: Invalid --threshold: 5. Expected a fraction like 0.1 or a percentage like \'10%\': a plain number is a fraction of the base, so 5 would be 500%. Write \'5%\' for 5 percent, or \'500%\' to allow that much.\n')
    expect(cli('compare', base, head, '--threshold', '1').code).toBe(2)
    expect(cli('compare', base, head, '--threshold', '500%', '--min-delta', '500000')).toMatchObject({ stderr: '', code: 0 })
  })
})
