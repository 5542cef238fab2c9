/** One call frame of an allocation tree, as a person reads it: function, file name, 1-based line. */
export interface AllocationFrame {
  functionName: string
  /** The last segment of the script's URL (`profiled.test.ts`), empty for native code. */
  file: string
  /** 1-based; 0 when the profile gives none. */
  line: number
}

/** A node of the tree, in preorder: its parent is the nearest node before it with one less depth. */
export interface AllocationTreeNode extends AllocationFrame {
  depth: number
  /** Bytes allocated in this frame itself (V8's estimate, scaled for the objects its sampling skipped). */
  self: number
  /** Bytes allocated in this frame and every frame it called, pruned ones included. */
  total: number
}

/**
 * Where a heap profile's memory was allocated, top-down: the root first, each node's children after
 * it, largest first. A node's `total` keeps the bytes of children pruned away, so the gap an icicle
 * leaves under a frame is what was too small to draw. The runner's chain of calls down to the test
 * (Node's and Vitest's frames, about 20 of them) is one node, so a chart opens on the test's own
 * functions.
 */
export interface AllocationTree {
  /** Every byte of the profile: the root's total. */
  total: number
  nodes: AllocationTreeNode[]
}

export interface AllocationTreeLimits {
  /** Nodes under this share of the root's total are left out (default 0.5%). */
  minShare?: number
  /** At most this many nodes, the largest kept (default 300). */
  maxNodes?: number
}

/** A heap profile's file is not what V8 writes; the message says where it went wrong. */
export class MalformedProfileError extends Error {}

interface Walked extends AllocationTreeNode {
  /** The frame is in a script outside `node_modules` that is not Node's own: the project's code. */
  ours: boolean
  parent: Walked | undefined
  children: Walked[]
  /** Preorder index in the whole profile, which breaks ties in size stably. */
  order: number
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null

function frameOf(node: Record<string, unknown>, where: string): AllocationFrame & { ours: boolean, selfSize: number, children: unknown[] } {
  const { callFrame, selfSize, children } = node
  if (!isRecord(callFrame) || typeof callFrame.functionName !== 'string' || typeof callFrame.url !== 'string' || typeof callFrame.lineNumber !== 'number')
    throw new MalformedProfileError(`${where} has no callFrame with functionName, url and lineNumber`)
  if (typeof selfSize !== 'number' || !Number.isFinite(selfSize) || selfSize < 0)
    throw new MalformedProfileError(`${where} has no selfSize of 0 or more bytes`)
  if (!Array.isArray(children))
    throw new MalformedProfileError(`${where} has no children array`)
  const file = callFrame.url.split(/[\\/]/).at(-1) ?? ''
  const ours = file !== '' && !callFrame.url.startsWith('node:') && !/[\\/]node_modules[\\/]/.test(callFrame.url)
  return { functionName: callFrame.functionName, file, line: file === '' ? 0 : Math.max(0, callFrame.lineNumber + 1), ours, selfSize, children }
}

const named = (node: AllocationFrame) => node.functionName || '(anonymous)'

/**
 * A V8 sampling heap profile (`{ head, samples }`, the parsed JSON of a `.heapprofile` file) as a
 * small allocation tree for an icicle chart: self and total bytes per call frame. Throws
 * {@link MalformedProfileError} for anything else. Walks without recursion: a hostile file may nest deep.
 */
export function allocationTree(profile: unknown, { minShare = 0.005, maxNodes = 300 }: AllocationTreeLimits = {}): AllocationTree {
  if (!isRecord(profile) || !isRecord(profile.head))
    throw new MalformedProfileError('it has no head node')
  const all: Walked[] = []
  const pending: Array<{ raw: unknown, parent: Walked | undefined }> = [{ raw: profile.head, parent: undefined }]
  while (pending.length > 0) {
    const { raw, parent } = pending.pop()!
    if (!isRecord(raw))
      throw new MalformedProfileError(`a node under ${parent ? JSON.stringify(parent.functionName) : 'the head'} is not an object`)
    const { selfSize, children, ...frame } = frameOf(raw, `node ${all.length}`)
    const node: Walked = { ...frame, depth: parent ? parent.depth + 1 : 0, self: selfSize, total: selfSize, parent, children: [], order: all.length }
    all.push(node)
    parent?.children.push(node)
    for (let i = children.length - 1; i >= 0; i--) pending.push({ raw: children[i], parent: node })
  }
  // Preorder: each node comes after its parent, so adding up from the end gives every total.
  for (let i = all.length - 1; i > 0; i--) all[i]!.parent!.total += all[i]!.total
  const root = all[0]!
  // A node's total is at least any descendant's, so the largest nodes, parents first on a tie, are a
  // connected tree: every kept node's parent is kept.
  const threshold = root.total * minShare
  const kept = new Set(all.filter(node => node === root || node.total >= threshold)
    .sort((a, b) => b.total - a.total || a.depth - b.depth || a.order - b.order)
    .slice(0, Math.max(1, maxNodes)))
  const keptChildren = (node: Walked) => node.children.filter(child => kept.has(child)).sort((a, b) => b.total - a.total || a.order - b.order)
  const nodes: AllocationTreeNode[] = []
  const visit: Array<{ node: Walked, depth: number }> = [{ node: root, depth: 0 }]
  while (visit.length > 0) {
    const { node, depth } = visit.pop()!
    // Under the root, a chain of frames not ours (Node's, Vitest's, native glue), each the only
    // kept child of the one before, is one node: its self bytes summed, its total the first's.
    // It is placed at its deepest frame that has a script (the call into the test).
    let last = node
    let located: AllocationFrame = node
    let self = node.self
    let frames = 1
    let children = keptChildren(node)
    while (depth === 1 && !node.ours && children.length === 1 && !children[0]!.ours) {
      last = children[0]!
      located = last.file === '' ? located : last
      self += last.self
      frames++
      children = keptChildren(last)
    }
    nodes.push(frames === 1
      ? { functionName: node.functionName, file: node.file, line: node.line, depth, self, total: node.total }
      : { functionName: `${frames} frames of the runner: ${named(node)} … ${named(last)}`, file: located.file, line: located.line, depth, self, total: node.total })
    for (let i = children.length - 1; i >= 0; i--) visit.push({ node: children[i]!, depth: depth + 1 })
  }
  return { total: root.total, nodes }
}
