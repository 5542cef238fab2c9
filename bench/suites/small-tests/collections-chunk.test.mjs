import { describe, expect, test } from 'vitest'
import { chunk, uniqBy } from './src/collections.mjs'

const items = Array.from({ length: 97 }, (_, i) => ({ id: i % 31, value: i }))

describe('chunk', () => {
  for (let size = 1; size <= 20; size++) {
    test(`size ${size}`, () => {
      const chunks = chunk(items, size)
      expect(chunks).toHaveLength(Math.ceil(items.length / size))
      expect(chunks.flat()).toEqual(items)
    })
  }
})
describe('uniqBy', () => {
  test('by id', () => expect(uniqBy(items, i => i.id)).toHaveLength(31))
  for (let mod = 2; mod <= 17; mod++)
    test(`by value mod ${mod}`, () => expect(uniqBy(items, i => i.value % mod).map(i => i.value)).toEqual(Array.from({ length: mod }, (_, i) => i)))
})
