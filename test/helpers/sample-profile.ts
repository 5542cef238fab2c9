import type { HeapProfile, ProfileNode } from '../../src/measure/allocation-sites.js'
import type { AllocationTree } from '../../src/report/allocation-tree.js'

let nextId = 1
function node(functionName: string, url: string, lineNumber: number, selfSize: number, children: ProfileNode[] = []): ProfileNode {
  return { id: nextId++, callFrame: { functionName, url, lineNumber, columnNumber: 0, scriptId: String(nextId) }, selfSize, children }
}

/**
 * A heap profile as V8 writes it, small enough to check by hand: 50 MB in all, 40 MB of it in
 * `keepArrays`, children out of size order, and a 100 kB frame under the 0.5% a tree keeps.
 */
export function sampleProfile(names: { keep?: string, file?: string } = {}): HeapProfile {
  nextId = 1
  const test = `file:///home/dev/project/test/${names.file ?? 'profiled.test.ts'}`
  const head = node('(root)', '', -1, 0, [
    node('(garbage collector)', '', -1, 1_900_000),
    node('runTest', 'file:///home/dev/project/node_modules/@vitest/runner/dist/index.js', 9, 0, [
      node('parse', test, 19, 6_000_000, [node('tiny', test, 29, 100_000)]),
      node(names.keep ?? 'keepArrays', test, 3, 40_000_000, [node('from', '', -1, 2_000_000)]),
    ]),
  ])
  return { head, samples: [{ size: 40_000_000, nodeId: 5, ordinal: 1 }, { size: 6_000_000, nodeId: 3, ordinal: 2 }] }
}

/**
 * The largest tree a page embeds for a profile: `nodes` frames (the cap), every one a distinct
 * function of a distinct file, so fifty such trees share nothing: chains of 15 calls under the root.
 */
export function widestTree(seed: number, nodes = 300): AllocationTree {
  const chains = Math.ceil((nodes - 1) / 15)
  const each = 1_234_567 * (seed + 1)
  const tree: AllocationTree = { total: each * chains, nodes: [{ functionName: '(root)', file: '', line: 0, depth: 0, self: 0, total: each * chains }] }
  for (let chain = 0; tree.nodes.length < nodes; chain++) {
    for (let depth = 1; depth <= 15 && tree.nodes.length < nodes; depth++)
      tree.nodes.push({ functionName: `handleRequestNumber${seed}x${chain}x${depth}`, file: `request-handler-${seed}-${chain}.ts`, line: 100 + depth, depth, self: depth === 15 ? each : 0, total: each })
  }
  return tree
}
