import { describe, expect, test } from 'vitest'
import { failureOf } from './helpers/failure.js'
import { measureAllocations } from '../src/index.js'

const numbers = new Int32Array(1000).fill(3)

function sum(): number {
  let total = 0
  for (let i = 0; i < numbers.length; i++) total += numbers[i]!
  return total
}

// About 0.2 ms a call on this machine: 100 small JSON documents parsed, as a request handler might.
const DOCUMENT = JSON.stringify({ id: 1, name: 'a name', tags: ['x', 'y', 'z'], nested: { a: 1, b: [1, 2, 3] } })
function parse100(): number {
  let total = 0
  for (let i = 0; i < 100; i++) total += (JSON.parse(DOCUMENT) as { id: number }).id
  return total
}

describe('measureAllocations', () => {
  test('an allocation-free loop allocates next to nothing per call', async () => {
    const m = await measureAllocations(sum)
    // The resolution: V8's own work while the function runs (compiling, installing code) can add up
    // to a hundred kB or so to a round of 10,000 calls.
    expect(m.bytesPerCall).toBeLessThan(32)
    expect(m).toMatchObject({ calls: 10_000, warmup: 1000 })
  })

  test('times a call against an independent clock: a 1 ms sleep takes 1 ms and some', async () => {
    // Atomics.wait sleeps on a clock tinybench does not read, and allocates nothing. Each call lasts
    // at least 1 ms of wall time; a loaded machine makes it longer by a scheduler slice or so, not
    // tenfold.
    const cell = new Int32Array(new SharedArrayBuffer(4))
    const sleep = () => Atomics.wait(cell, 0, 0, 1)
    const m = await measureAllocations(sleep, { calls: 50, warmup: 5 })
    expect(m.timePerCall).toBeGreaterThanOrEqual(0.99)
    expect(m.timePerCall).toBeLessThan(10)
    expect(m.callsPerSecond).toBeLessThanOrEqual(1010)
    expect(m.callsPerSecond).toBeGreaterThan(100)
    // Two views of the same timings: the mean rate and the inverse of the mean time agree.
    expect(m.callsPerSecond * m.timePerCall / 1000).toBeGreaterThan(0.5)
    expect(m.callsPerSecond * m.timePerCall / 1000).toBeLessThan(2)
  })

  test('counts heap and external bytes per call, to within 10%', async () => {
    // 1000 small integers: an 8 kB element store plus the array object.
    const array = await measureAllocations(() => new Array(1000).fill(0).length)
    expect(array.bytesPerCall).toBeGreaterThan(8000)
    expect(array.bytesPerCall).toBeLessThan(8000 * 1.1)
    // A 4 kB ArrayBuffer: its contents are external, its wrapper a few dozen heap bytes.
    const buffer = await measureAllocations(() => new ArrayBuffer(4096).byteLength, { calls: 2000 })
    expect(buffer.bytesPerCall).toBeGreaterThan(4096)
    expect(buffer.bytesPerCall).toBeLessThan(4096 * 1.1)
    expect(buffer.calls).toBe(2000)
  })

  test('sizes its rounds by time, as tinybench does: a slower function gets fewer calls, not a longer run', async () => {
    const m = await measureAllocations(parse100)
    // About 100 ms a round by the warm-up's time per call: 10,000 calls took 2 s a round.
    expect(m.calls).toBeLessThan(10_000)
    expect(m.calls).toBeGreaterThanOrEqual(10)
    expect(m.calls * m.timePerCall).toBeLessThan(500)
    // 100 parsed documents of 5 objects and arrays each: several kB a call.
    expect(m.bytesPerCall).toBeGreaterThan(5000)
  })

  test('rejects bad options with the accepted form', async () => {
    await expect(measureAllocations(sum, { calls: 0 })).rejects.toThrowError('Invalid calls: 0. Expected a whole number, 1 or more.')
    await expect(measureAllocations(sum, { warmup: 1.5 })).rejects.toThrowError('Invalid warmup: 1.5. Expected a whole number, 0 or more.')
    await expect(measureAllocations('sum' as never)).rejects.toThrowError('measureAllocations expects a function to run, got string.')
  })

  test('passes the function\'s error through', async () => {
    const error = new Error('broken')
    await expect(measureAllocations(() => {
      throw error
    })).rejects.toBe(error)
  })
})

describe('toAllocateUnder', () => {
  test('holds a hot path to bytes per call', async () => {
    await expect(sum).toAllocateUnder('32B')
    await expect(() => new Array(1000).fill(0).length).not.toAllocateUnder('4kB')
  })

  test('fails with bytes per call, how they were measured, and the time per call', async () => {
    const error = await failureOf(expect(() => new Array(1000).fill(0).length).toAllocateUnder('1 KiB', { calls: 500, warmup: 50 }))
    expect(error.message).toMatch(/^expected the function to allocate at most 1 KiB per call, but it allocated \d\.\d+ KiB per call$/m)
    // The figure is the measured one, to the 10% the measuring test above allows: on a loaded machine
    // V8 installing compiled code during the 500 calls adds up to a few hundred bytes per call.
    const perCall = Number(/allocated (\d\.\d+) KiB per call/.exec(error.message)![1]) * 1024
    expect(perCall).toBeGreaterThan(8000)
    expect(perCall).toBeLessThan(8000 * 1.1)
    expect(error.message).toMatch(/^ {2}measured over 500 calls after 50 warm-up calls \(the fewest-allocating of 5 rounds\): [\d.]+ MiB in all, \d+ GCs?$/m)
    expect(error.message).toMatch(/^ {2}time per call: [\d.]+ µs, [\d,]+ calls\/s \(tinybench\)$/m)
  })

  // Vitest's default timeout: with 1000 warm-up calls and 6 runs of 10,000 this took about 12 s.
  test('with its defaults, holds a 0.2 ms function within Vitest\'s 5 s timeout', { timeout: 5000 }, async () => {
    await expect(parse100).toAllocateUnder('1MB')
  })

  // Half a millisecond a call on any machine: 6 runs of 10,000 calls take 30 s, past the 5 s timeout
  // however fast the machine (parse100's 60,000 calls fit in 5 s on a quiet one).
  const halfMillisecond = () => {
    const end = performance.now() + 0.5
    while (performance.now() < end) {}
    return end
  }

  test('too many calls for the test\'s timeout fail at once, naming calls', { timeout: 5000 }, async () => {
    const error = await failureOf(expect(halfMillisecond).toAllocateUnder('1MB', { calls: 10_000 }))
    expect(error.message).toMatch(/^measuring allocations would take about [\d.]+ s: 6 runs of 10,000 calls at [\d.]+ ms a call \(5 measured rounds and one timed\), and the test has [\d.]+ s left of its 5000 ms timeout\. Pass fewer calls \(e\.g\. \{ calls: [\d,]+ \}\), leave calls out to size the rounds by time, or give the test a longer timeout\.$/)
  })

  test('bad budgets are TypeErrors naming them', async () => {
    const error = await failureOf(expect(sum).toAllocateUnder('a little'))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain('Invalid budget: "a little".')
  })
})
