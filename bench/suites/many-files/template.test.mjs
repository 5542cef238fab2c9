// Template of one file of suite B; generate.mjs writes it 150+ times with __N__ replaced by the file's number.
import { describe, expect, test } from 'vitest'
import { chunk, groupBy, LruCache } from '../src/collections.mjs'
import { deepMerge, getPath, stableStringify } from '../src/json.mjs'
import { kebabCase, slugify, truncate } from '../src/strings.mjs'
import { buildUrl, normalizePath, parseQuery } from '../src/url.mjs'

const N = __N__
const rows = Array.from({ length: 40 + (N % 10) }, (_, i) => ({ id: `${N}-${i}`, name: `Row ${i} of module ${N}`, group: i % 4, score: (i * 31 + N) % 100 }))

describe(`module ${N}: data`, () => {
  test('groups rows', () => expect([...groupBy(rows, r => r.group).values()].flat()).toHaveLength(rows.length))
  test('chunks rows', () => expect(chunk(rows, 7).flat()).toEqual(rows))
  test('finds the top score', () => expect(Math.max(...rows.map(r => r.score))).toBeLessThan(100))
  test('serializes stably', () => expect(stableStringify(rows[0])).toBe(stableStringify({ ...rows[0] })))
  test('merges settings', () => expect(deepMerge({ a: { b: 1 } }, { a: { c: N } })).toEqual({ a: { b: 1, c: N } }))
  test('reads a path', () => expect(getPath({ rows }, 'rows.0.id')).toBe(`${N}-0`))
})

describe(`module ${N}: text and urls`, () => {
  test('slugs names', () => expect(rows.map(r => slugify(r.name)).every(s => /^[a-z0-9-]+$/.test(s))).toBe(true))
  test('kebab-cases', () => expect(kebabCase(`moduleNumber${N}`)).toBe(`module-number${N}`))
  test('truncates', () => expect(truncate(rows[1].name, 8).length).toBeLessThanOrEqual(8))
  test('builds a url', () => expect(buildUrl('https://example.com/', `/m/${N}`, { q: N })).toBe(`https://example.com/m/${N}?q=${N}`))
  test('parses a query', () => expect(parseQuery(`page=${N}&size=20`)).toEqual({ page: String(N), size: '20' }))
  test('normalizes a path', () => expect(normalizePath(`/a/${N}/../b`)).toBe('/a/b'))
  test('caches', async () => {
    const cache = new LruCache(3)
    for (const row of rows) cache.set(row.id, row)
    await Promise.resolve()
    expect(cache.get(rows.at(-1).id)).toBe(rows.at(-1))
  })
})
