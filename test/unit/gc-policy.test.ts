import { describe, expect, it } from 'vitest'
import { createGcPolicy, FULL_GC_THRESHOLD, readRetained } from '../../src/measure/gc-policy.js'

const MB = 2 ** 20

/** A policy whose last full GC left 10 MB. */
function afterFullGc() {
  const policy = createGcPolicy({ gcBeforeEachTest: 'auto', fullGcThreshold: FULL_GC_THRESHOLD })
  policy.collectedFull(10 * MB)
  return policy
}

describe('gc policy across test files (isolate: false)', () => {
  it('counts what a file kept since the last full GC once: it is growth already', () => {
    const policy = afterFullGc()
    policy.kept(3 * MB, false)
    policy.fileEnded()
    // 3 MB above the reference, kept after it: under the 4 MiB threshold.
    expect(policy.fullDue(13 * MB)).toBe(false)
    expect(policy.fullDue(14.1 * MB)).toBe(true)
  })

  it('takes what a full GC found alive off the reference once the file ends', () => {
    const policy = afterFullGc()
    policy.kept(3 * MB, false)
    // A full GC at the next test's start: the 3 MB sit in the reference from now on.
    policy.collectedFull(13 * MB)
    expect(policy.fullDue(13.5 * MB)).toBe(false)
    policy.fileEnded()
    // They may be garbage now: 3 MB, plus 1.5 MB of growth, is over the threshold.
    expect(policy.fullDue(14.5 * MB)).toBe(true)
  })

  it('counts a test kept before the full GC at its own end as in the reference', () => {
    const policy = afterFullGc()
    policy.collectedFull(15 * MB)
    policy.kept(5 * MB, true)
    policy.fileEnded()
    expect(policy.fullDue(15 * MB)).toBe(true)
  })

  it('makes the next test collect after a file that kept something, and only then', () => {
    const policy = afterFullGc()
    expect(policy.littleSinceCollected(10.1 * MB)).toBe(true)
    policy.fileEnded()
    expect(policy.littleSinceCollected(10.1 * MB)).toBe(true)
    policy.kept(0.1 * MB, false)
    policy.fileEnded()
    expect(policy.littleSinceCollected(10.1 * MB)).toBe(false)
  })
})

describe('gc policy: when a full GC is due whatever the heap holds', () => {
  it('is the first collection of a worker, and every one with gcBeforeEachTest: always', () => {
    const auto = createGcPolicy({ gcBeforeEachTest: 'auto', fullGcThreshold: FULL_GC_THRESHOLD })
    expect(auto.fullDueRegardless()).toBe(true)
    auto.collectedFull(10 * MB)
    expect(auto.fullDueRegardless()).toBe(false)
    // Past the threshold a full GC is due, but only a reading after a young GC can tell.
    expect(auto.fullDue(20 * MB)).toBe(true)
    expect(auto.fullDueRegardless()).toBe(false)

    const always = createGcPolicy({ gcBeforeEachTest: 'always', fullGcThreshold: FULL_GC_THRESHOLD })
    always.collectedFull(10 * MB)
    expect(always.fullDueRegardless()).toBe(true)
  })
})

describe('garbage older than a test, which a full GC at its end also frees', () => {
  it('is what was promoted since the last full GC, until a test ends after it without one', () => {
    const policy = afterFullGc()
    expect(policy.olderGarbage(10.4 * MB)).toBeCloseTo(0.4 * MB)
    policy.kept(1 * MB, true)
    expect(policy.olderGarbage(10.4 * MB)).toBeCloseTo(0.4 * MB)
    // That test may have dropped anything the full GC found alive.
    policy.kept(1 * MB, false)
    expect(policy.olderGarbage(10.4 * MB)).toBe(Number.POSITIVE_INFINITY)
    policy.collectedFull(11 * MB)
    expect(policy.olderGarbage(11 * MB)).toBe(0)
  })

  it('leaves the full GC\'s reading exact only when it is under 256 KiB', () => {
    // 10 MB kept; before the test, 3 MB of an earlier fixture had become garbage.
    const end = { gc: 'full' as const, used: 17 * MB, afterYoung: 20 * MB }
    expect(readRetained(end, 10 * MB, Number.POSITIVE_INFINITY, 0)).toEqual({ retained: 10 * MB, retainedGc: 'young' })
    expect(readRetained(end, 10 * MB, 0.1 * MB, 0)).toEqual({ retained: 7 * MB, retainedGc: 'full' })
    // Known to be 0.5 MB at most: the upper bound is the full GC's reading plus it.
    expect(readRetained(end, 10 * MB, 0.5 * MB, 0)).toEqual({ retained: 7.5 * MB, retainedGc: 'young' })
    // The closing full GC freed little beyond the young one: little older garbage could be in it.
    expect(readRetained({ gc: 'full', used: 19.9 * MB, afterYoung: 20 * MB }, 10 * MB, Number.POSITIVE_INFINITY, 0).retainedGc).toBe('full')
    // Unless V8 ran a full GC inside the test, which may have freed older garbage already.
    expect(readRetained({ gc: 'full', used: 19.9 * MB, afterYoung: 20 * MB }, 10 * MB, Number.POSITIVE_INFINITY, 1)).toEqual({ retained: 10 * MB, retainedGc: 'young' })
    expect(readRetained({ gc: 'young', used: 12 * MB }, 10 * MB, Number.POSITIVE_INFINITY, 0)).toEqual({ retained: 2 * MB, retainedGc: 'young' })
  })
})
