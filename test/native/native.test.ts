// `native` as the plugin measures it in its own workers: this suite runs under memoryBudget()
// (vitest.config.ts), so its workers have native/native-heap.c preloaded.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { describe, expect, test } from 'vitest'
import { measureMemory } from '../../src/index.js'

const MB = 2 ** 20
/** What Node mallocs beside a Buffer's contents (its backing store's bookkeeping) and the measurement's own reads. */
const SLACK = 64 * 1024

/** The part of node:sqlite used here (@types/node 20 has none of it). */
interface Sqlite {
  DatabaseSync: new (path: string) => {
    exec: (sql: string) => void
    prepare: (sql: string) => { run: (...values: unknown[]) => unknown }
    close: () => void
  }
}

/** node:sqlite: Node 22.5 and later (the Vitest 5 run, on Node 24). */
function loadSqlite(): Sqlite | undefined {
  try {
    return createRequire(import.meta.url)('node:sqlite') as Sqlite
  }
  catch {
    return undefined
  }
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('native, in a measured worker', () => {
  test('a 10 MiB Buffer reads 10 MiB native (its contents are malloc\'d), and as much external', async () => {
    const m = await measureMemory(() => {
      Buffer.allocUnsafeSlow(10 * MB)
    })
    expect(m.native).toBeGreaterThanOrEqual(10 * MB)
    expect(m.native).toBeLessThan(10 * MB + SLACK)
    expect(m.external).toBeGreaterThanOrEqual(10 * MB)
  })

  test('memory older than the call that the call frees does not offset what it then allocates', async () => {
    let older: Buffer | undefined = Buffer.allocUnsafeSlow(10 * MB)
    const m = await measureMemory(() => {
      older = undefined
      // Frees the older 10 MiB (backing stores are freed at the collection in these single-threaded workers).
      globalThis.gc!()
      Buffer.allocUnsafeSlow(10 * MB)
    })
    expect(older).toBeUndefined()
    expect(m.native).toBeGreaterThanOrEqual(10 * MB)
    expect(m.native).toBeLessThan(10 * MB + SLACK)
  })

  test('a worker_thread\'s allocations count (one process, one C heap), which heap and external do not see', async () => {
    const m = await measureMemory(async () => {
      const worker = new Worker('const b = Buffer.allocUnsafeSlow(20 * 2 ** 20); b.fill(1); require("node:worker_threads").parentPort.postMessage(b.length)', { eval: true })
      await new Promise(resolve => worker.once('message', resolve))
      await worker.terminate()
    })
    expect(m.native).toBeGreaterThanOrEqual(20 * MB)
    expect(m.external).toBeLessThan(MB)
  })

  test('the children a test spawns do not inherit the library', () => {
    expect(process.env.LD_PRELOAD ?? '').not.toContain('native-heap')
    const seen = execFileSync('sh', ['-c', 'echo "$LD_PRELOAD"'], { encoding: 'utf8' })
    expect(seen).not.toContain('native-heap')
  })

  test.runIf(loadSqlite())('node:sqlite, 200,000 rows of 200 B in memory: native sees the database, heap + external do not', async () => {
    const { DatabaseSync } = loadSqlite()!
    const m = await measureMemory(() => {
      const db = new DatabaseSync(':memory:')
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
      const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
      const row = 'x'.repeat(200)
      db.exec('BEGIN')
      for (let i = 0; i < 200_000; i++)
        insert.run(row)
      db.exec('COMMIT')
      db.close()
    })
    // The rows alone are 40 MB; SQLite's pages and cache add to them.
    expect(m.native).toBeGreaterThan(40e6)
    expect(m.total).toBeLessThan(20e6)
  })
})
