import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { TestModule, Vitest } from 'vitest/node'
import { resolveRegressionRules } from '../../src/compare/rules.js'
import { MemoryReporter, type MemoryReporterOptions, stdoutIsTaken } from '../../src/reporter/memory-reporter.js'
import { memory } from '../helpers/sample-report.js'

// The reporter's glue only: Vitest's objects reduced to what it reads. What it prints is tested on
// fixed data (test/unit/report.test.ts) and on real runs (test/per-test.test.ts).
function fakeRun(root: string) {
  const logged: string[] = []
  const vitest = { config: { root, reporters: [] }, projects: [{ name: '' }], version: '4.1.12', logger: { log: (text: string) => logged.push(text) } } as unknown as Vitest
  const testCase = (name: string, meta: object, state = 'passed') => ({
    id: name,
    fullName: name,
    project: { name: '', config: { browser: { enabled: false, name: 'chromium' } } },
    module: { moduleId: join(root, 'test/a.test.ts') },
    location: { line: 1, column: 1 },
    result: () => ({ state }),
    meta: () => meta,
  })
  const modules = [{
    moduleId: join(root, 'test/a.test.ts'),
    meta: () => ({}),
    project: { name: '' },
    children: {
      allTests: () => [
        testCase('measured', { memory: memory(5e6) }),
        testCase('skipped', {}, 'skipped'),
      ][Symbol.iterator](),
    },
  }, {
    // Vitest 5 marks the type-test file, Vitest 4 its tests too.
    moduleId: join(root, 'test/a.test-d.ts'),
    meta: () => ({ typecheck: true }),
    project: { name: '' },
    children: { allTests: () => [testCase('a type test', {})][Symbol.iterator]() },
  }] as unknown as TestModule[]
  return { vitest, modules, logged }
}

const options = (overrides: Partial<MemoryReporterOptions>): MemoryReporterOptions => ({
  root: '/repo',
  top: 10,
  silent: false,
  outputFile: undefined,
  markdown: undefined,
  html: undefined,
  baseline: undefined,
  regression: resolveRegressionRules(undefined),
  budgetRules: [],
  fileBudgets: [],
  runner: { memory: undefined, failAbove: undefined },
  deterministic: true,
  workerFlags: ['--expose-gc'],
  // No worker wrote a trail here: these tests give the reporter Vitest's results directly.
  trailDirectory: '/nonexistent/vitest-memory-budget-trails',
  ...overrides,
})

/** The reporter of a run whose one project ('' , the root config's) the plugin set up. */
function reporterOf(reporterOptions: MemoryReporterOptions): MemoryReporter {
  const reporter = new MemoryReporter(reporterOptions, { reporters: [], claimed: new Set(['']), replacedPools: [] })
  reporter.addProject('', '')
  return reporter
}

describe('MemoryReporter', () => {
  test('prints the summary, leaving out skipped tests and type tests', async () => {
    const { vitest, modules, logged } = fakeRun('/repo')
    const reporter = reporterOf(options({}))
    reporter.onInit(vitest)
    await reporter.onTestRunEnd(modules)
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain(' 1 test measured')
    expect(logged[0]).toContain('test/a.test.ts > measured')
  })

  test('silent prints nothing but still writes the JSON report', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reporter-'))
    const { vitest, modules, logged } = fakeRun(root)
    const reporter = reporterOf(options({ root, silent: true, outputFile: 'out/memory.json' }))
    reporter.onInit(vitest)
    await reporter.onTestRunEnd(modules)
    expect(logged).toEqual([])
    const report = JSON.parse(readFileSync(join(root, 'out/memory.json'), 'utf8'))
    expect(report.tests.map((t: { name: string }) => t.name)).toEqual(['measured'])
    expect(report.environment).toMatchObject({ vitest: '4.1.12', workerFlags: ['--expose-gc'] })
  })
})

test('says once per run why native memory is not measured, however many reporters the run has', () => {
  const { vitest } = fakeRun('/repo')
  const warned: string[] = []
  Object.assign(vitest.logger, { warn: (text: string) => warned.push(text) })
  const notes = { reporters: [], claimed: new Set(['']), replacedPools: [], nativeUnavailable: 'the interposer ships for Linux x64 only, not darwin-arm64' }
  const reporters = [new MemoryReporter(options({}), notes), new MemoryReporter(options({ top: 3 }), notes)]
  notes.reporters.push(...reporters as never[])
  for (const reporter of reporters)
    reporter.onInit(vitest)
  expect(warned).toHaveLength(1)
  expect(warned[0]).toContain('Memory: native (C heap) memory is not measured: the interposer ships for Linux x64 only, not darwin-arm64. native is NaN in every test, and a budget on it stops the run; memoryBudget({ native: false }) turns it off.')
})

describe('the files the reporter writes', () => {
  // The README promises a killed run never leaves a half-written report or baseline: each file is
  // written beside itself and renamed over the old one. A second name (a hard link) taken on the old
  // file before the run tells the two apart: a rename leaves the old file whole under that name,
  // while a write in place (truncate, then write) would change it under both names.
  test('replaces each file whole, leaving the old one untouched and no temporary file behind', async () => {
    const root = mkdtempSync(join(tmpdir(), 'reporter-'))
    const { vitest, modules } = fakeRun(root)
    Object.assign(vitest.config, { update: true })
    Object.assign(modules[0]!, { project: { name: '' } })
    Object.assign(vitest, { globTestSpecifications: async () => [{ project: { name: '' }, moduleId: join(root, 'test/a.test.ts') }] })
    const files = { outputFile: 'out/memory.json', markdown: 'out/memory.md', html: 'out/memory.html', baseline: 'memory-baseline.json' }
    mkdirSync(join(root, 'out'))
    mkdirSync(join(root, 'held'))
    for (const [name, file] of Object.entries(files)) {
      writeFileSync(join(root, file), `old ${name}`)
      linkSync(join(root, file), join(root, 'held', name))
    }
    const reporter = reporterOf(options({ root, silent: true, ...files }))
    reporter.onInit(vitest)
    await reporter.onTestRunEnd(modules)
    for (const [name, file] of Object.entries(files)) {
      expect(readFileSync(join(root, 'held', name), 'utf8')).toBe(`old ${name}`)
      expect(readFileSync(join(root, file), 'utf8')).toContain('measured')
    }
    expect(readdirSync(join(root, 'out')).sort()).toEqual(['memory.html', 'memory.json', 'memory.md'])
    expect(readdirSync(root).sort()).toEqual(['held', 'memory-baseline.json', 'out'])
  })
})

describe('stdoutIsTaken: whether another reporter writes its report to stdout', () => {
  test.each([
    ['--reporter=json on Vitest 4', { reporters: [['json', {}]] }, '4.1.12', true],
    ['junit given as a name', { reporters: ['junit'] }, '4.1.12', true],
    ['json with an output file of its own', { reporters: [['json', { outputFile: 'r.json' }]] }, '4.1.12', false],
    ['json with --outputFile', { reporters: [['json', {}]], outputFile: 'r.json' }, '4.1.12', false],
    ['json with --outputFile.json', { reporters: [['json', {}]], outputFile: { json: 'r.json' } }, '4.1.12', false],
    ['junit, with --outputFile.json only', { reporters: [['junit', {}]], outputFile: { json: 'r.json' } }, '4.1.12', true],
    ['json on Vitest 5, which writes under .vitest/', { reporters: [['json', {}]] }, '5.1.1', false],
    ['json with stdout: true on Vitest 5', { reporters: [['json', { stdout: true }]] }, '5.1.1', true],
    ['the default and verbose reporters', { reporters: [['default', {}], 'verbose'] }, '4.1.12', false],
  ])('%s', (_, config, version, taken) => {
    expect(stdoutIsTaken(config, version)).toBe(taken)
  })
})
