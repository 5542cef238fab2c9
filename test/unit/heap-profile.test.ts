import { describe, expect, test } from 'vitest'
import { aggregateSites, type HeapProfile, type ProfileNode, samplesAfter } from '../../src/measure/allocation-sites.js'

const frame = (functionName: string, line: number) => ({ functionName, url: 'file:///project/src/parse.ts', lineNumber: line - 1, columnNumber: 0, scriptId: '1' })
const node = (id: number, functionName: string, selfSize: number, children: ProfileNode[] = []): ProfileNode => ({ id, callFrame: frame(functionName, id), selfSize, children })

/**
 * A profile as V8 gives it: `parse` (node 2) allocated 4 samples, two before ordinal 10 and two
 * after; `tokenize` (node 3) one before; node 9 is a sample V8 took while building the profile.
 * Self sizes are V8's scaled estimates, larger than the samples' sizes.
 */
const profile: HeapProfile = {
  head: node(1, '(root)', 0, [node(2, 'parse', 8000, [node(3, 'tokenize', 3000)])]),
  samples: [
    { nodeId: 2, size: 1000, ordinal: 5 },
    { nodeId: 3, size: 1500, ordinal: 7 },
    { nodeId: 2, size: 1000, ordinal: 9 },
    { nodeId: 2, size: 1000, ordinal: 11 },
    { nodeId: 2, size: 1000, ordinal: 12 },
    { nodeId: 9, size: 500, ordinal: 13 },
  ],
}

describe('samplesAfter: a sampling inside another one', () => {
  test('keeps only the later samples, with their share of each node\'s scaled self size', () => {
    const later = samplesAfter(profile, 10)
    expect(later.samples.map(s => s.ordinal)).toEqual([11, 12])
    // Two of parse's four samples: half its 8000; tokenize had none after, so its branch is gone.
    expect(later.head).toEqual(node(1, '(root)', 0, [node(2, 'parse', 4000)]))
    expect(aggregateSites(later.head, '/project', '/elsewhere/')).toEqual([{ functionName: 'parse', file: 'src/parse.ts', line: 2, bytes: 4000 }])
  })

  test('from the start, it is the whole profile less the samples of nodes the tree lacks', () => {
    const whole = samplesAfter(profile, -1)
    expect(whole.head).toEqual(profile.head)
    expect(whole.samples.map(s => s.nodeId)).toEqual([2, 3, 2, 2, 2])
  })

  test('no later samples leave an empty root, still a profile a tool can open', () => {
    expect(samplesAfter(profile, 99)).toEqual({ head: { ...profile.head, selfSize: 0, children: [] }, samples: [] })
  })
})
