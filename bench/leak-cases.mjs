// Functions for leak detection, shared by the tests (test/leaks.test.ts) and the benchmark.
import { EventEmitter } from 'node:events'

// Each leaking function keeps about 1 kB per call, the smallest leak toLeak must catch; each clean
// one does the same work and keeps nothing.
const kept = []
const emitter = new EventEmitter().setMaxListeners(0)
const cache = new Map()
let calls = 0
const request = () => new Array(120).fill(calls++)

export const LEAKING = {
  'pushes to a module-level array': () => kept.push({ payload: request() }),
  'keeps a closure': () => {
    const payload = request()
    kept.push(() => payload.length)
  },
  'adds a listener and never removes it': () => {
    const payload = request()
    emitter.on('event', () => payload.length)
  },
  'sets a timer and never clears it': () => {
    const payload = request()
    setTimeout(() => payload.length, 600_000).unref()
  },
  'sets map entries and never deletes them': () => cache.set(calls, request()),
  'builds strings and keeps them': () => kept.push(`${'x'.repeat(1000)}${calls++}`.split('').join('')),
}

export const CLEAN = {
  'uses a closure': () => {
    const payload = request()
    return (() => payload.length)()
  },
  'sets and deletes a map entry': () => {
    cache.set(-1, request())
    cache.delete(-1)
  },
  'adds and removes a listener': () => {
    const payload = request()
    const listener = () => payload.length
    emitter.on('other', listener)
    emitter.off('other', listener)
  },
  'builds strings': () => `${'x'.repeat(1000)}${calls++}`.split('').join('').length,
  'awaits promises': async () => {
    await new Promise(resolve => setImmediate(resolve))
    return request().length
  },
  'sets a timer and clears it': () => {
    const payload = request()
    clearTimeout(setTimeout(() => payload.length, 600_000))
  },
  'round-trips JSON': () => JSON.parse(JSON.stringify({ rows: request() })),
}
