// What JavaScript's figures cannot see. Native code (zlib's Brotli encoder here, SQLite, image
// libraries, any addon) allocates its working memory with malloc: not on the V8 heap, not as a
// Buffer, so `total` (heap + external) misses it. `native` counts the C heap itself: every malloc
// and free of the worker, peaks exact. RSS sees it too, but late, rounded to pages, and blurred by
// everything else the process does.
import { createRequire } from 'node:module'
import { brotliCompressSync, constants } from 'node:zlib'
import { describe, expect, test } from 'vitest'
import { formatBytes, measureMemory, type MemoryMetrics } from 'vitest-memory-budget'

const show = (label: string, m: MemoryMetrics) =>
  console.log(`${label.padEnd(44)} total ${formatBytes(m.total).padStart(9)}   native ${formatBytes(m.native).padStart(9)}   rss ${formatBytes(m.rss).padStart(9)}`)

/** Some text that compresses: 690 kB of it, made once, before any measurement. */
const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i}: the quick brown fox ${i % 97}\n`).join(''))

describe('Brotli with a 16 MiB window', () => {
  const compress = () => brotliCompressSync(text, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_LGWIN]: 24 } }).length

  test('its encoder\'s tables are native memory, which total does not see', async () => {
    const m = await measureMemory(compress)
    show('brotliCompressSync(690 kB, 16 MiB window)', m)
    expect(m.native).toBeGreaterThan(10 * m.total)
  })

  test('a budget on native holds it; one on total would pass', async () => {
    await expect(compress).toStayUnder('5MB')
    await expect(compress).not.toStayUnder('5MB', { metric: 'native' })
  })
})

/** node:sqlite is in Node 22.5 and later. */
function sqlite(): { DatabaseSync: new (path: string) => { exec: (sql: string) => void, prepare: (sql: string) => { run: (value: string) => unknown }, close: () => void } } | undefined {
  try {
    return createRequire(import.meta.url)('node:sqlite')
  }
  catch {
    return undefined
  }
}

test.runIf(sqlite())('SQLite: 200,000 rows of 200 B in an in-memory database', async () => {
  const { DatabaseSync } = sqlite()!
  const m = await measureMemory(() => {
    const db = new DatabaseSync(':memory:')
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)')
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)')
    db.exec('BEGIN')
    for (let i = 0; i < 200_000; i++)
      insert.run('x'.repeat(200))
    db.exec('COMMIT')
    db.close()
  })
  show('node:sqlite, 200,000 rows of 200 B', m)
  // 40 MB of rows, in SQLite's pages: native memory; the JavaScript side is the strings passed in.
  expect(m.native).toBeGreaterThan(40e6)
})

test('a Buffer is both: its contents are external and malloc\'d', async () => {
  const m = await measureMemory(() => Buffer.alloc(10e6, 1).length)
  show('Buffer.alloc(10 MB, 1)', m)
  // So `total` and `native` overlap: never add them.
  expect(m.external).toBeGreaterThanOrEqual(10e6)
  expect(m.native).toBeGreaterThanOrEqual(10e6)
})
