import { describe, expect, it } from 'vitest'
import { createGcPolicy, FULL_GC_THRESHOLD } from '../../src/measure/gc-policy.js'

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
