import { describe, expect, test } from 'vitest'
import { deepMerge, omit, pick } from './src/json.mjs'

const defaults = { server: { port: 3000, host: 'localhost', tls: { enabled: false } }, log: { level: 'info' }, features: ['a'] }

describe('deepMerge', () => {
  for (let port = 3001; port <= 3015; port++) {
    test(`port ${port}`, () => {
      const merged = deepMerge(defaults, { server: { port } })
      expect(merged.server).toEqual({ ...defaults.server, port })
      expect(merged.log).toBe(defaults.log)
    })
  }
  test('arrays are replaced, not merged', () => expect(deepMerge(defaults, { features: ['b'] }).features).toEqual(['b']))
  test('nested objects merge', () => expect(deepMerge(defaults, { server: { tls: { enabled: true } } }).server.tls).toEqual({ enabled: true }))
})
describe('pick and omit', () => {
  const keys = ['server', 'log', 'features', 'missing']
  for (let i = 0; i < keys.length; i++) {
    for (let j = i + 1; j <= keys.length; j++) {
      test(`pick/omit ${keys.slice(i, j).join(',')}`, () => {
        const chosen = keys.slice(i, j)
        expect({ ...pick(defaults, chosen), ...omit(defaults, chosen) }).toEqual(defaults)
      })
    }
  }
})
