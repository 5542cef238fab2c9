import { describe, expect, test } from 'vitest'
import { LruCache } from './src/collections.mjs'

describe('LruCache', () => {
  for (let capacity = 1; capacity <= 20; capacity++) {
    test(`capacity ${capacity} keeps the most recent`, () => {
      const cache = new LruCache(capacity)
      for (let i = 0; i < capacity * 3; i++) cache.set(`k${i}`, i)
      expect(cache.map.size).toBe(capacity)
      expect(cache.get(`k${capacity * 3 - 1}`)).toBe(capacity * 3 - 1)
      expect(cache.get('k0')).toBe(capacity * 3 > capacity ? undefined : 0)
    })
  }
  for (let capacity = 2; capacity <= 18; capacity++) {
    test(`capacity ${capacity}: a read refreshes`, () => {
      const cache = new LruCache(capacity)
      for (let i = 0; i < capacity; i++) cache.set(i, String(i))
      cache.get(0)
      cache.set('new', 'x')
      expect(cache.get(0)).toBe('0')
      expect(cache.get(1)).toBeUndefined()
    })
  }
})
