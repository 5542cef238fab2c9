// `native` as the plugin measures it in its own workers: this suite runs under memoryBudget()
// (vitest.config.ts), so its workers have native/native-heap.c preloaded.
import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { beforeAll, describe, expect, test } from 'vitest'
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

/** test/native/addon.c: exact malloc calls from JavaScript. */
interface Addon {
  spike: (bytes: number) => void
  hold: (bytes: number) => void
  release: () => void
}

describe.runIf(process.platform === 'linux' && process.arch === 'x64')('native, in a measured worker', () => {
  let addon: Addon
  beforeAll(() => {
    const built = join(mkdtempSync(join(tmpdir(), 'native-addon-')), 'addon.node')
    execFileSync('gcc', ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden', '-o', built, fileURLToPath(new URL('addon.c', import.meta.url))])
    addon = createRequire(import.meta.url)(built) as Addon
  })

  test('an addon holding exactly 3,000,000 B reads it within the allocator\'s rounding, which heap and external miss', async () => {
    const m = await measureMemory(() => addon.hold(3_000_000))
    addon.release()
    // glibc maps a block this size on its own: under one 4 kB page of rounding; the rest is the measurement's own.
    expect(m.native).toBeGreaterThanOrEqual(3_000_000)
    expect(m.native).toBeLessThan(3_000_000 + 4096 + SLACK)
    // A worker's first measurement loads code onto the heap: 0.16 to 0.26 MB of total here.
    expect(m.total).toBeLessThan(1e6)
  })

  test('one synchronous native call that allocates and frees 100 MiB reads a 100 MiB peak', async () => {
    const m = await measureMemory(() => addon.spike(100 * MB))
    expect(m.native).toBeGreaterThanOrEqual(100 * MB)
    expect(m.native).toBeLessThan(100 * MB + 4096 + SLACK)
    expect(m.total).toBeLessThan(1e6)
    await expect(() => addon.spike(100 * MB)).not.toStayUnder('100MiB', { metric: 'native' })
    await expect(() => addon.spike(100 * MB)).toStayUnder('1MB')
  })

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
