import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import type { ProfileNode } from '../../src/measure/allocation-sites.js'
import { allocationTree, MalformedProfileError } from '../../src/report/allocation-tree.js'
import { profilesToDraw, readProfileTrees } from '../../src/report/read-allocation-trees.js'
import { sampleProfile } from '../helpers/sample-profile.js'
import { sampleReport } from '../helpers/sample-report.js'

const row = (functionName: string, file: string, line: number, depth: number, self: number, total: number) => ({ functionName, file, line, depth, self, total })

describe('allocationTree', () => {
  test('self and total bytes per frame in preorder, children largest first, the frame under 0.5% pruned with its bytes kept', () => {
    const tree = allocationTree(sampleProfile())
    // Every self size of the profile: 1.9 + 6 + 0.1 + 40 + 2 MB.
    expect(tree.total).toBe(50_000_000)
    expect(tree.nodes).toEqual([
      row('(root)', '', 0, 0, 0, 50_000_000),
      row('runTest', 'index.js', 10, 1, 0, 48_100_000),
      row('keepArrays', 'profiled.test.ts', 4, 2, 40_000_000, 42_000_000),
      row('from', '', 0, 3, 2_000_000, 2_000_000),
      // `tiny` (100 kB, 0.2%) is gone, its bytes still in parse's total.
      row('parse', 'profiled.test.ts', 20, 2, 6_000_000, 6_100_000),
      row('(garbage collector)', '', 0, 1, 1_900_000, 1_900_000),
    ])
    expect(allocationTree(sampleProfile(), { minShare: 0 }).nodes.map(n => n.functionName)).toEqual(['(root)', 'runTest', 'keepArrays', 'from', 'parse', 'tiny', '(garbage collector)'])
  })

  test('at most maxNodes, the largest, each with its parent', () => {
    const tree = allocationTree(sampleProfile(), { maxNodes: 4 })
    expect(tree.nodes.map(n => [n.functionName, n.depth])).toEqual([['(root)', 0], ['runTest', 1], ['keepArrays', 2], ['parse', 2]])
    expect(tree.total).toBe(50_000_000)
    expect(allocationTree(sampleProfile(), { maxNodes: 0 }).nodes).toHaveLength(1)
  })

  test('on a tie in size the shallower frame stays, so a parent is never dropped for the child that holds all its bytes', () => {
    const single = (id: number, selfSize: number, children: ProfileNode[] = []): ProfileNode => ({ id, callFrame: { functionName: `f${id}`, url: 'a.js', lineNumber: id, columnNumber: 0, scriptId: '1' }, selfSize, children })
    const head = single(1, 0, [single(2, 0, [single(3, 500)]), single(4, 500)])
    const kept = (maxNodes: number) => allocationTree({ head, samples: [] }, { maxNodes }).nodes.map(n => n.functionName)
    expect(kept(2)).toEqual(['f1', 'f2'])
    expect(kept(3)).toEqual(['f1', 'f2', 'f4'])
    expect(kept(4)).toEqual(['f1', 'f2', 'f3', 'f4'])
  })

  test('the runner\'s chain under the root is one row, its bytes kept; frames under the test\'s code are not folded', () => {
    let id = 0
    const frame = (functionName: string, url: string, selfSize: number, children: ProfileNode[] = []): ProfileNode => ({ id: ++id, callFrame: { functionName, url, lineNumber: id, columnNumber: 0, scriptId: '1' }, selfSize, children })
    const runner = 'file:///app/node_modules/@vitest/runner/dist/index.js'
    const test = 'file:///app/test/list.test.ts'
    const lib = 'file:///app/node_modules/lib/index.js'
    // Node's task queue, native glue, three of Vitest's frames, then the test, which calls a library
    // and a native builtin; the runner's chain holds 3 kB of its own.
    const head = frame('(root)', '', 0, [
      frame('(garbage collector)', '', 1_000),
      frame('processTicksAndRejections', 'node:internal/process/task_queues', 0, [
        frame('', '', 1_000, [
          frame('runTest', runner, 1_000, [
            frame('runWithTimeout', runner, 0, [
              frame('Promise', '', 1_000, [
                frame('', test, 10_000, [
                  frame('build', lib, 0, [frame('inner', lib, 20_000), frame('more', lib, 5_000)]),
                  frame('from', '', 60_000),
                ]),
              ]),
            ]),
          ]),
        ]),
      ]),
    ])
    const tree = allocationTree({ head, samples: [] }, { minShare: 0 })
    expect(tree.nodes).toEqual([
      row('(root)', '', 0, 0, 0, 99_000),
      row('5 frames of the runner: processTicksAndRejections … Promise', 'index.js', 9, 1, 3_000, 98_000),
      row('', 'list.test.ts', 7, 2, 10_000, 95_000),
      row('from', '', 0, 3, 60_000, 60_000),
      // A library's frames under the test's own stay as they are: they say where its bytes went.
      row('build', 'index.js', 5, 3, 0, 25_000),
      row('inner', 'index.js', 3, 4, 20_000, 20_000),
      row('more', 'index.js', 4, 4, 5_000, 5_000),
      row('(garbage collector)', '', 0, 1, 1_000, 1_000),
    ])
    // Every byte is somewhere: the selves add up to the whole.
    expect(tree.nodes.reduce((sum, n) => sum + n.self, 0)).toBe(tree.total)
    // A chain that forks stops at the fork: both branches show.
    const forked = allocationTree({ head: frame('(root)', '', 0, [frame('a', runner, 0, [frame('b', runner, 0, [frame('t1', test, 500), frame('t2', test, 500)])])]), samples: [] })
    expect(forked.nodes.map(n => [n.functionName, n.depth])).toEqual([['(root)', 0], ['2 frames of the runner: a … b', 1], ['t1', 2], ['t2', 2]])
  })

  test('an empty profile is a root of 0 bytes', () => {
    const { head } = sampleProfile()
    expect(allocationTree({ head: { ...head, children: [] }, samples: [] })).toEqual({ total: 0, nodes: [row('(root)', '', 0, 0, 0, 0)] })
  })

  test('anything but a V8 heap profile is a MalformedProfileError naming what is wrong', () => {
    const { head } = sampleProfile()
    const bad: Array<[unknown, RegExp]> = [
      [null, /has no head node/],
      [[], /has no head node/],
      [{ head: 'x' }, /has no head node/],
      [{ head: { ...head, callFrame: { functionName: 1, url: '', lineNumber: 0 } } }, /node 0 has no callFrame/],
      [{ head: { ...head, selfSize: -1 } }, /node 0 has no selfSize of 0 or more bytes/],
      [{ head: { ...head, selfSize: Number.NaN } }, /no selfSize/],
      [{ head: { ...head, children: {} } }, /node 0 has no children array/],
      [{ head: { ...head, children: [null] } }, /a node under "\(root\)" is not an object/],
    ]
    for (const [profile, message] of bad) expect(() => allocationTree(profile)).toThrow(message)
    expect(() => allocationTree(null)).toThrow(MalformedProfileError)
  })

  test('a profile nested 20,000 frames deep is walked without recursion', () => {
    let deep: ProfileNode = { id: 0, callFrame: { functionName: 'leaf', url: 'a.js', lineNumber: 0, columnNumber: 0, scriptId: '1' }, selfSize: 10, children: [] }
    for (let i = 1; i < 20_000; i++) deep = { ...deep, id: i, callFrame: { ...deep.callFrame, functionName: `f${i}` }, selfSize: 0, children: [deep] }
    const tree = allocationTree({ head: deep, samples: [] })
    expect(tree.total).toBe(10)
    expect(tree.nodes).toHaveLength(300)
  })
})

describe('readProfileTrees', () => {
  const directory = mkdtempSync(join(tmpdir(), 'profile-trees-'))
  writeFileSync(join(directory, 'good.heapprofile'), JSON.stringify(sampleProfile()))
  writeFileSync(join(directory, 'broken.heapprofile'), '{"head":')
  writeFileSync(join(directory, 'foreign.heapprofile'), JSON.stringify({ nodes: [], startTime: 0 }))
  const paths = ['good.heapprofile', 'missing.heapprofile', 'broken.heapprofile', 'foreign.heapprofile']
  // One profile per test, the heaviest test (250 MB) last in the report.
  const report = { ...sampleReport, tests: sampleReport.tests.map((t, i) => (i < paths.length ? { ...t, heapProfiles: [paths[i]!] } : t)) }

  test('reads each profile relative to the root; a missing, broken or foreign file is a reason, never an error', () => {
    const trees = readProfileTrees(report, directory)
    expect([...trees.keys()].sort()).toEqual([...paths].sort())
    expect(trees.get('good.heapprofile')).toEqual(allocationTree(sampleProfile()))
    expect(trees.get('missing.heapprofile')).toEqual({ unreadable: 'no such file' })
    expect(trees.get('broken.heapprofile')).toEqual({ unreadable: 'not JSON' })
    expect(trees.get('foreign.heapprofile')).toEqual({ unreadable: 'not a V8 heap profile: it has no head node' })
    expect(readProfileTrees(report, join(directory, 'good.heapprofile')).get('good.heapprofile')).toMatchObject({ unreadable: expect.stringMatching(/^cannot read it \(ENOTDIR\)$/) })
  })

  test('draws the profiles of the heaviest tests first, up to the limit', () => {
    const peaks = new Map(report.tests.map(t => [t.heapProfiles?.[0], t.metrics?.total ?? -1]))
    const drawn = profilesToDraw(report, 2)
    expect(drawn).toHaveLength(2)
    const byPeak = paths.slice().sort((a, b) => peaks.get(b)! - peaks.get(a)!)
    expect(drawn).toEqual(byPeak.slice(0, 2))
    expect(profilesToDraw(sampleReport)).toEqual([])
  })
})
