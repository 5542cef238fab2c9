import { describe, expect, test } from 'vitest'
import { getPath, setPath } from './src/json.mjs'

const doc = { a: { b: { c: 1, d: [10, 20, 30] } }, list: [{ name: 'x' }, { name: 'y' }], empty: null }
const PATHS = [['a.b.c', 1], ['a.b.d.1', 20], ['list.0.name', 'x'], ['list.1.name', 'y'], ['empty', null], ['empty.x', undefined], ['missing.path', undefined], ['a.b.d.length', 3]]

describe('getPath', () => {
  test.each(PATHS)('%s', (path, expected) => expect(getPath(doc, path)).toEqual(expected))
})
describe('setPath', () => {
  for (let depth = 1; depth <= 15; depth++) {
    test(`depth ${depth}`, () => {
      const path = Array.from({ length: depth }, (_, i) => `k${i}`).join('.')
      const out = setPath(doc, path, depth)
      expect(getPath(out, path)).toBe(depth)
      expect(doc).not.toHaveProperty('k0')
    })
  }
  for (let n = 0; n < 14; n++)
    test(`overwrites a.b.c with ${n}`, () => expect(setPath(doc, 'a.b.c', n).a.b).toEqual({ c: n, d: [10, 20, 30] }))
})
