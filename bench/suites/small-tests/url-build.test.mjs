import { describe, expect, test } from 'vitest'
import { buildUrl, normalizePath } from './src/url.mjs'

const PATHS = [['/a/b/../c', '/a/c'], ['/a/./b', '/a/b'], ['a//b', '/a/b'], ['/../x', '/x'], ['/', '/'], ['/a/b/', '/a/b/'], ['./x/y/../../z', '/z'], ['/a/b/c/../../..', '/'], ['x', '/x'], ['/a/../a/../a', '/a'], ['/deep/er/est/../../..', '/'], ['/keep/trailing/', '/keep/trailing/']]

describe('normalizePath', () => {
  test.each(PATHS)('%s', (input, expected) => expect(normalizePath(input)).toBe(expected))
})
describe('buildUrl', () => {
  for (let n = 0; n < 13; n++) {
    test(`page ${n}`, () => {
      const url = new URL(buildUrl('https://api.example.com/v1/', `items/${n}`, { page: n, tag: ['a', 'b'] }))
      expect(url.pathname).toBe(`/v1/items/${n}`)
      expect(url.searchParams.getAll('tag')).toEqual(['a', 'b'])
    })
  }
  for (let n = 0; n < 12; n++)
    test(`absolute path ${n}`, () => expect(buildUrl('https://example.com/base/', `/root/${n}`)).toBe(`https://example.com/root/${n}`))
})
