import { describe, expect, test } from 'vitest'
import { parseQuery } from './src/url.mjs'

const CASES = [['a=1', { a: '1' }], ['a=1&b=2', { a: '1', b: '2' }], ['a=1&a=2', { a: ['1', '2'] }], ['?x=y', { x: 'y' }], ['empty=', { empty: '' }], ['q=hello+world', { q: 'hello world' }], ['q=%F0%9F%98%80', { q: '😀' }], ['', {}], ['flag', { flag: '' }], ['a=1&a=2&a=3', { a: ['1', '2', '3'] }], ['k=v=w', { k: 'v=w' }], ['sort=-date&page=2', { sort: '-date', page: '2' }]]

describe('parseQuery', () => {
  test.each(CASES)('%s', (query, expected) => expect(parseQuery(query)).toEqual(expected))
})
describe('parseQuery of generated queries', () => {
  for (let n = 1; n <= 24; n++) {
    test(`${n} parameters`, () => {
      const query = Array.from({ length: n }, (_, i) => `p${i}=${i * i}`).join('&')
      const parsed = parseQuery(query)
      expect(Object.keys(parsed)).toHaveLength(n)
      expect(parsed[`p${n - 1}`]).toBe(String((n - 1) ** 2))
    })
  }
})
