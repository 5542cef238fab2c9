import { describe, expect, test } from 'vitest'
import { countBy, groupBy } from './src/collections.mjs'

const people = Array.from({ length: 120 }, (_, i) => ({ id: i, team: ['red', 'green', 'blue'][i % 3], age: 20 + (i * 7) % 40 }))

describe('groupBy', () => {
  for (let mod = 1; mod <= 19; mod++) {
    test(`by id mod ${mod}`, () => {
      const groups = groupBy(people, p => p.id % mod)
      expect(groups.size).toBe(mod)
      expect([...groups.values()].flat()).toHaveLength(people.length)
    })
  }
})
describe('countBy', () => {
  test('by team', () => expect(Object.fromEntries(countBy(people, p => p.team))).toEqual({ red: 40, green: 40, blue: 40 }))
  for (let decade = 2; decade <= 5; decade++)
    test(`age decade ${decade}0`, () => expect(countBy(people, p => Math.floor(p.age / 10)).get(decade)).toBeGreaterThan(0))
  for (let n = 1; n <= 13; n++)
    test(`first ${n * 9} people`, () => expect([...countBy(people.slice(0, n * 9), p => p.team).values()].reduce((a, b) => a + b, 0)).toBe(n * 9))
})
