import { describe, expect, test } from 'vitest'
import { stableStringify } from './src/json.mjs'

const record = n => ({ id: n, name: `item ${n}`, tags: ['x', 'y'].slice(0, n % 3), meta: { created: 1700000000 + n, flags: { a: n % 2 === 0, b: null } } })
const shuffled = obj => Object.fromEntries(Object.entries(obj).reverse())

describe('stableStringify', () => {
  for (let n = 0; n < 29; n++) {
    test(`record ${n} ignores key order`, () => expect(stableStringify(shuffled(record(n)))).toBe(stableStringify(record(n))))
  }
  for (let n = 0; n < 17; n++) {
    test(`record ${n} parses back`, () => expect(JSON.parse(stableStringify(record(n)))).toEqual(record(n)))
  }
})
