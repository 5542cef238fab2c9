import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import type { IHeapEdge, IHeapNode, IHeapSnapshot } from 'memlab'
import { type HeapKind, isNamedNative, summarizeNodes } from './heap-snapshot.js'

/** How objects allocated between two heap snapshots are still reachable. */
export interface RetainerTrace {
  /** From what holds them to the first new object, e.g. `['kept (variable)', 'Array', 'Object']`. */
  path: string[]
  /** New objects reachable through this path, and their shallow sizes. */
  objects: number
  bytes: number
}

export type RetainerTraces =
  | { status: 'found', traces: RetainerTrace[] }
  | { status: 'missing' }
  | { status: 'failed', reason: string }

type Memlab = typeof import('memlab')

/**
 * Paths holding a smaller share of bytes than this, next to the largest, are left out: they are the
 * runner's and the matcher's own state when the snapshot was taken (a few promises, a few hundred bytes).
 */
const MINOR_SHARE = 0.05

/** Paths shown: the message fits a terminal. */
const TRACES_SHOWN = 3

/** Names shown when a variable can be one of several; "or 2 more" stands for the others. */
const CANDIDATES_SHOWN = 3

/** Shown segments of one path: enough for a variable, two properties and the objects. */
const SEGMENTS_SHOWN = 6

/** memlab is an optional peer dependency: `undefined` when it is not installed. */
async function loadMemlab(name: string): Promise<Memlab | undefined> {
  let path: string
  try {
    // Resolving, unlike importing, fails only when the package itself is missing: a broken
    // dependency of memlab must not be reported as "not installed".
    path = createRequire(import.meta.url).resolve(name)
  }
  catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND')
      return undefined
    throw error
  }
  const loaded = await import(pathToFileURL(path).href) as Memlab & { default?: Memlab }
  // A CommonJS package: Node exposes what its loader detects as named exports, `default` has all.
  return loaded.default ?? loaded
}

/** What memlab's reading of a heap snapshot gives: the retainer traces, and the objects by kind when it read the file. */
export interface RetainerReading {
  retainers: RetainerTraces
  /** Undefined when memlab did not read the file (missing, or failed): the caller then parses it. */
  kinds: Map<string, HeapKind> | undefined
}

/**
 * The shortest retainer paths (from memlab) of the objects in `snapshot` whose ids are not in
 * `earlier`, grouped by path, most bytes first, and the snapshot's objects by kind from the same
 * reading: parsed again for the kinds, a 22 MB snapshot of a Vitest worker took 1.2 to 2.5 s more.
 * Never throws: a failure is the reason it gives. `memlab` names the package to load, for tests of
 * a missing or broken one.
 */
export async function findRetainerTraces(snapshot: string, earlier: Set<number>, { memlab: name = 'memlab' } = {}): Promise<RetainerReading> {
  let memlab: Memlab | undefined
  try {
    memlab = await loadMemlab(name)
    if (!memlab)
      return { retainers: { status: 'missing' }, kinds: undefined }
    const { nodes } = await readHeap(memlab, snapshot)
    const traces = groupByPath(nodes, earlier).filter(t => !t.path.some(isModuleLoader))
    const floor = (traces[0]?.bytes ?? 0) * MINOR_SHARE
    return { retainers: { status: 'found', traces: traces.filter(t => t.bytes >= floor).slice(0, TRACES_SHOWN) }, kinds: summarizeNodes(nodes) }
  }
  catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]
    return { retainers: { status: 'failed', reason: `${memlab ? 'memlab could not analyse the heap snapshot' : 'memlab could not be loaded'}: ${message}` }, kinds: undefined }
  }
}

async function readHeap(memlab: Memlab, snapshot: string): Promise<IHeapSnapshot> {
  const { config } = memlab
  const errorHandling = config.errorHandling
  // memlab prints progress in the middle of the test output, and clears it again when the process
  // exits unless it stays muted. On an error it ends the process (the Vitest worker) unless told
  // to throw: ErrorHandling.Throw, an enum it does not export.
  config.muteConsole = true
  config.errorHandling = 2
  try {
    return await memlab.getFullHeapFromFile(snapshot)
  }
  finally {
    config.errorHandling = errorHandling
  }
}

function groupByPath(nodes: { forEach: (callback: (node: IHeapNode) => void) => void }, earlier: Set<number>): RetainerTrace[] {
  // Each new object counts for the first new object on its shortest path from a GC root: 100 leaked
  // { payload } objects and their arrays make one group, reached through the array that keeps them.
  const firstNew = new Map<number, IHeapNode | null>()
  const firstNewOf = (node: IHeapNode): IHeapNode | null => {
    const chain: IHeapNode[] = []
    let found: IHeapNode | null | undefined
    for (let current: IHeapNode | undefined = node; found === undefined;) {
      found = firstNew.get(current.id)
      if (found !== undefined)
        break
      chain.push(current)
      const parent: IHeapNode | undefined = current.pathEdge?.fromNode
      // Unreachable (V8 lists some such objects), or held by a root itself: the stack, handles of
      // the running code. Neither is what the function keeps.
      if (!parent || parent.type === 'synthetic')
        found = null
      else if (earlier.has(parent.id))
        found = current
      else
        current = parent
    }
    for (const link of chain)
      firstNew.set(link.id, found)
    return found
  }
  const paths = new Map<number, string[]>()
  const groups = new Map<string, RetainerTrace>()
  nodes.forEach((node) => {
    if (earlier.has(node.id))
      return
    const first = firstNewOf(node)
    if (!first)
      return
    const path = paths.get(first.id) ?? retainerPath(first)
    paths.set(first.id, path)
    const key = path.join('\n')
    const group = groups.get(key) ?? { path, objects: 0, bytes: 0 }
    group.objects++
    group.bytes += node.self_size
    groups.set(key, group)
  })
  return [...groups.values()].sort((a, b) => b.bytes - a.bytes)
}

/**
 * Node's ES module loader (on Node 24 its modules' `ModuleWrap`s, under the entry point module and the
 * cascaded loader) fills its own caches between the two snapshots, a few kB in a few dozen objects
 * that the function did not make: paths through it are left out.
 */
function isModuleLoader(segment: string): boolean {
  return /\bModuleWrap\b/.test(segment)
}

/** Node types and names of V8 and Node internals, left out of a path: they are how, not what. */
function isInternal(node: IHeapNode): boolean {
  return ['hidden', 'array', 'code', 'native'].includes(node.type) || node.name.startsWith('system /')
}

function nodeLabel(node: IHeapNode): string {
  if (node.type === 'object' || isNamedNative(node.type, node.name))
    return node.name
  if (node.type === 'closure')
    return node.name ? `${node.name}()` : '(closure)'
  return `(${node.type})`
}

/** The path that holds `node`, from a variable, a global or a group of roots when one is near, at most `SEGMENTS_SHOWN` segments. */
function retainerPath(node: IHeapNode): string[] {
  // Walked from the object up; a segment repeated in a row (`Timeout._idleNext` along a linked list) is counted, not repeated.
  const segments = [{ label: nodeLabel(node), times: 1 }]
  const add = (label: string) => {
    if (segments[0]!.label === label)
      segments[0]!.times++
    else
      segments.unshift({ label, times: 1 })
  }
  let cut = false
  for (let edge: IHeapEdge | null = node.pathEdge; edge; edge = edge.fromNode.pathEdge) {
    const holder = holderName(edge)
    if (holder) {
      add(holder)
      break
    }
    // A group of GC roots, such as `(Stack roots)` or `(Global handles)`: what holds the path.
    if (edge.fromNode.type === 'synthetic') {
      add(edge.fromNode.name)
      break
    }
    if (segments.length === SEGMENTS_SHOWN) {
      cut = true
      break
    }
    if (!isInternal(edge.fromNode))
      add(edge.type === 'property' ? `${nodeLabel(edge.fromNode)}.${edge.name_or_index}` : nodeLabel(edge.fromNode))
  }
  const path = segments.map(({ label, times }) => times > 1 ? `${label} ×${times}` : label)
  return cut ? ['…', ...path] : path
}

/** A variable in a scope, or a property of the global object: where a reader starts looking. */
function holderName(edge: IHeapEdge): string | undefined {
  if (edge.type === 'context')
    return `${edge.name_or_index} (variable)`
  if (edge.type === 'hidden' && edge.fromNode.name === 'system / Context')
    return blockVariable(edge)
  if (edge.type === 'property' && edge.fromNode.name === 'global')
    return `${edge.name_or_index} (global)`
  return undefined
}

/**
 * V8 names the variables of function and module scopes, but not those of block scopes, and Vitest
 * runs each module's code inside a block. Their names are still in the scope's ScopeInfo, in slot
 * order; V8 numbers the edges of every slot holding an object, so an edge's number is its slot's
 * minus the slots before it holding a small integer, which have no edge. Which slots those are is
 * known only around a function, whose name is its variable's (`function f` or `const f = () => {}`).
 * Otherwise the name is one of a few: all of them are given.
 */
function blockVariable(edge: IHeapEdge): string {
  const context = edge.fromNode
  const names = context.getReference('scope_info', 'internal')?.toNode.references
    .filter(e => e.type === 'hidden' && e.toNode.isString)
    .map(e => e.toNode.toStringNode()?.stringValue ?? e.toNode.name)
  const values = context.references.filter(e => e.type === 'hidden')
  const integers = (names?.length ?? 0) - Math.max(...values.map(e => Number(e.name_or_index))) - 1
  if (!names || integers < 0 || context.references.some(e => e.type === 'context'))
    return '(block-scoped variable)'
  const number = Number(edge.name_or_index)
  // Integer slots before this edge's slot: at least `fewest`, at most `most`.
  let [fewest, most] = [0, integers]
  for (const value of values) {
    const name = value.toNode.type === 'closure' ? value.toNode.name : ''
    const slot = names.indexOf(name)
    // A function held by two variables names neither.
    if (slot < 0 || values.filter(v => v.toNode.type === 'closure' && v.toNode.name === name).length > 1)
      continue
    const before = slot - Number(value.name_or_index)
    if (before < 0 || before > integers)
      continue
    if (Number(value.name_or_index) <= number)
      fewest = Math.max(fewest, before)
    if (Number(value.name_or_index) >= number)
      most = Math.min(most, before)
  }
  const candidates = fewest <= most ? names.slice(number + fewest, number + most + 1) : names.slice(number, number + integers + 1)
  if (candidates.length === 1)
    return `${candidates[0]} (variable)`
  const shown = candidates.slice(0, CANDIDATES_SHOWN)
  const more = candidates.length - shown.length
  return `${shown.join(' or ')}${more > 0 ? ` or ${more} more` : ''} (variable)`
}
