// Overhead of the plugin on a suite of many small tests: the same generated suite (500 tests in 10
// files) run with and without the plugin, both on the forks pool, alternating, several rounds.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const vitestBin = join(root, 'node_modules/vitest/vitest.mjs')

const TEST_BODIES = [
  `const words = 'the quick brown fox jumps over the lazy dog'.split(' ')
    expect(words.map(w => w.toUpperCase()).join('-').length).toBe(43)`,
  `const numbers = Array.from({ length: 200 }, (_, i) => (i * 7919) % 1000)
    expect([...numbers].sort((a, b) => a - b)[0]).toBe(0)`,
  `const data = { id: 1, tags: ['a', 'b'], nested: { deep: [1, 2, 3] } }
    expect(JSON.parse(JSON.stringify(data))).toEqual(data)`,
  `const map = new Map(Array.from({ length: 100 }, (_, i) => [i, String(i)]))
    expect(map.get(42)).toBe('42')`,
  `await new Promise(resolve => setImmediate(resolve))
    expect(typeof Date.now()).toBe('number')`,
]

/** Copies the built package into `dir`'s node_modules, as an install would lay it out. */
export function installPackage(dir) {
  const installed = join(dir, 'node_modules/vitest-memory-budget')
  for (const entry of ['package.json', 'dist', 'schema'])
    cpSync(join(root, entry), join(installed, entry), { recursive: true })
}

/**
 * Writes a project with 10 files of 50 tests; `plugin` decides its config: `false` for none, `true` for
 * the defaults, or the options object's source text. The package is copied
 * into the project's node_modules, as an install would put it, so Vitest loads it as a dependency
 * (natively) instead of transforming it as project source.
 */
export function writeSuite(dir, plugin) {
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  // Its own package.json stops Node resolving 'vitest-memory-budget' to this repository by name.
  writeFileSync(join(dir, 'package.json'), '{ "name": "overhead-suite", "private": true, "type": "module" }\n')
  installPackage(dir)
  const pluginImport = plugin ? `import { memoryBudget } from 'vitest-memory-budget'\n` : ''
  const plugins = plugin ? `plugins: [memoryBudget(${plugin === true ? '' : plugin})], ` : ''
  writeFileSync(join(dir, 'vitest.config.mjs'), `${pluginImport}export default { ${plugins}test: { pool: 'forks' } }\n`)
  for (let file = 0; file < 10; file++) {
    const tests = Array.from({ length: 50 }, (_, i) => `  test('case ${i}', async () => {\n    ${TEST_BODIES[i % TEST_BODIES.length]}\n  })`)
    writeFileSync(join(dir, `suite-${file}.test.mjs`), `import { describe, expect, test } from 'vitest'\n\ndescribe('file ${file}', () => {\n${tests.join('\n')}\n})\n`)
  }
}

function timeRun(dir) {
  const started = performance.now()
  const result = spawnSync(process.execPath, [vitestBin, 'run', '--reporter=dot'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } })
  if (result.status !== 0)
    throw new Error(`the generated suite failed:\n${result.stdout}\n${result.stderr}`)
  return performance.now() - started
}

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * Writes one suite per entry of `plugins` (name: `plugin` as writeSuite takes it), runs each once to
 * warm up, then all `rounds` times, alternating; returns each one's median wall time and all times.
 */
export function timeSuites(plugins, rounds) {
  // Inside the repo, so the suites resolve vitest and the package's dependencies from its node_modules.
  const base = join(root, 'bench/.work', `overhead-${process.pid}`)
  const names = Object.keys(plugins)
  for (const name of names) writeSuite(join(base, name), plugins[name])
  try {
    for (const name of names) timeRun(join(base, name))
    const times = Object.fromEntries(names.map(name => [name, []]))
    for (let round = 0; round < rounds; round++) {
      for (const name of names) times[name].push(timeRun(join(base, name)))
    }
    return { medians: Object.fromEntries(names.map(name => [name, median(times[name])])), times }
  }
  finally {
    rmSync(base, { recursive: true, force: true })
  }
}

/** Runs the suite without and with the plugin `rounds` times, alternating: median wall times and their ratio. */
export function measureOverhead(rounds = 5) {
  const { medians, times } = timeSuites({ plain: false, measured: true }, rounds)
  return { plain: medians.plain, measured: medians.measured, ratio: medians.measured / medians.plain, times }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = measureOverhead(Number(process.argv[2] ?? 5))
  console.log(JSON.stringify(result, null, 2))
}
