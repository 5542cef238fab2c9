import { describe, expect, test } from 'vitest'
import { padTable, truncate, wordWrap } from './src/strings.mjs'

const LOREM = 'Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua'

describe('truncate', () => {
  for (let max = 5; max <= 60; max += 5) {
    test(`to ${max}`, () => {
      const out = truncate(LOREM, max)
      expect(out.length).toBeLessThanOrEqual(max)
      expect(out.endsWith('…')).toBe(LOREM.length > max)
    })
  }
})
describe('wordWrap', () => {
  for (let width = 10; width <= 80; width += 6) {
    test(`at ${width} columns`, () => {
      const lines = wordWrap(LOREM, width)
      expect(lines.every(line => line.length <= width || !line.includes(' '))).toBe(true)
      expect(lines.join(' ')).toBe(LOREM)
    })
  }
})
describe('padTable', () => {
  for (let rows = 1; rows <= 12; rows++) {
    test(`${rows} rows`, () => {
      const table = padTable(Array.from({ length: rows }, (_, i) => [`name ${i}`, i * 1000, i % 2 ? 'yes' : 'no']))
      expect(new Set(table.map(line => line.indexOf('|'))).size).toBe(1)
    })
  }
})
