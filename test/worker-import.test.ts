// What a test worker loads of the package before its first test: the bundled setup module and the
// one chunk it shares with the main entry, and none of the parts only some tests use (the inspector
// for allocation sites, heap snapshots and memlab for leak explanations, the RSS sampler's thread).
// Loaded in every worker they cost it time before its first test (issue 10: at most 5 ms in all).
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { workerExecArgv } from '../src/plugin/options.js'
import { RESTORE_FLAGS_IMPORT } from '../src/worker/restore-flags.js'
import type { WorkerConfig } from '../src/worker/config.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-import-'))
const dist = join(dir, 'dist')

// Vitest's part of a worker is not under test: a stand-in with what the setup module imports, which
// provides the plugin's settings so the per-test recorder is set up too.
const workerConfig: WorkerConfig = { root: dir, budgets: [], gcBeforeEachTest: 'auto', fullGcThreshold: 4 * 2 ** 20, profiles: undefined, annotations: false, trailDirectory: dir, heapLimit: undefined, isolate: true }
const VITEST_STUB = `export const afterAll = () => {}, afterEach = () => {}, beforeEach = () => {}
export const chai = { use() {} }, expect = { extend() {} }
export const inject = () => (${JSON.stringify(workerConfig)})
`

// Every file the loader loads is appended to the log, before it runs.
const HOOKS = `import { appendFileSync } from 'node:fs'
let log
export function initialize(data) { log = data.log }
export async function load(url, context, next) {
  if (url.startsWith('file:'))
    appendFileSync(log, url + '\\n')
  return next(url, context)
}
`

const PROBE = `import { readFileSync } from 'node:fs'
import { register } from 'node:module'
const [hooks, log, setup] = process.argv.slice(2)
register(hooks, { data: { log } })
const before = new Set(process.moduleLoadList)
await import(setup)
const builtins = process.moduleLoadList.filter(m => !before.has(m) && m.startsWith('NativeModule ')).map(m => m.slice('NativeModule '.length))
console.log(JSON.stringify({ builtins, files: readFileSync(log, 'utf8').trim().split('\\n') }))
`

beforeAll(() => {
  const bundled = spawnSync(process.execPath, [join(root, 'scripts/bundle.mjs'), dist], { encoding: 'utf8' })
  if (bundled.status !== 0)
    throw new Error(`bundling failed:\n${bundled.stderr}`)
  mkdirSync(join(dir, 'node_modules/vitest'), { recursive: true })
  writeFileSync(join(dir, 'node_modules/vitest/package.json'), '{ "name": "vitest", "type": "module", "exports": "./index.js" }\n')
  writeFileSync(join(dir, 'node_modules/vitest/index.js'), VITEST_STUB)
  writeFileSync(join(dir, 'hooks.mjs'), HOOKS)
  writeFileSync(join(dir, 'probe.mjs'), PROBE)
  writeFileSync(join(dir, 'loaded.log'), '')
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('a worker loads two files of the package and none of its optional parts', () => {
  const flags = [...workerExecArgv({ deterministic: true, heapLimit: undefined }), RESTORE_FLAGS_IMPORT]
  const args = [pathToFileURL(join(dir, 'hooks.mjs')).href, join(dir, 'loaded.log'), pathToFileURL(join(dist, 'matchers/setup.js')).href]
  const child = spawnSync(process.execPath, [...flags, join(dir, 'probe.mjs'), ...args], { encoding: 'utf8' })
  expect(child.stderr).toBe('')
  const { builtins, files } = JSON.parse(child.stdout) as { builtins: string[], files: string[] }
  const ours = files.filter(url => url.startsWith(pathToFileURL(dist).href)).map(url => relative(dist, fileURLToPath(url)))
  expect(ours.sort()).toEqual(['chunks/worker.js', 'matchers/setup.js'])
  // Loaded by the allocation sites (inspector), the leak explanation (os) and the RSS sampler (worker_threads).
  expect(builtins.filter(name => ['inspector', 'inspector/promises', 'os', 'worker_threads'].includes(name))).toEqual([])
  // The leak explanation and allocation sites are chunks of their own, not part of what was loaded.
  expect(readFileSync(join(dist, 'chunks/explain-leak.js'), 'utf8')).toContain('writeHeapSnapshot')
  expect(readFileSync(join(dist, 'chunks/allocation-sites.js'), 'utf8')).toContain('node:inspector')
})
