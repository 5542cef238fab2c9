import { readFileSync } from 'node:fs'

/** Objects of one kind in a heap snapshot: a constructor name, or a V8 type such as `(string)`. */
export interface HeapKind {
  kind: string
  count: number
  bytes: number
}

interface Snapshot {
  snapshot: { meta: { node_fields: string[], node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

export interface HeapSummary {
  kinds: Map<string, HeapKind>
  /** Node ids, which V8 keeps for an object from one snapshot to the next: an id missing from an earlier snapshot is an object allocated since. */
  ids: Set<number>
}

/** A native object with a name of its own (a DOM node, an event listener), not one of V8's or Node's internals. */
export function isNamedNative(type: string, name: string): boolean {
  return type === 'native' && name !== '' && !name.startsWith('system /')
}

/** Counts and shallow sizes by kind, from a `.heapsnapshot` file (the format Chrome DevTools opens). */
export function summarizeHeapSnapshot(path: string): HeapSummary {
  const data = JSON.parse(readFileSync(path, 'utf8')) as Snapshot
  const fields = data.snapshot.meta.node_fields
  const types = data.snapshot.meta.node_types[0]
  const width = fields.length
  const [typeAt, nameAt, idAt, sizeAt] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('id'), fields.indexOf('self_size')]
  const kinds = new Map<string, HeapKind>()
  const ids = new Set<number>()
  for (let i = 0; i < data.nodes.length; i += width) {
    ids.add(data.nodes[i + idAt]!)
    const type = types[data.nodes[i + typeAt]!]!
    // Objects go by constructor name, and so do a page's DOM objects (native, named by their class:
    // `Detached HTMLDivElement`); strings, arrays, closures and code by their V8 type.
    const kind = type === 'object' || isNamedNative(type, data.strings[data.nodes[i + nameAt]!]!) ? data.strings[data.nodes[i + nameAt]!]! : `(${type})`
    const entry = kinds.get(kind) ?? { kind, count: 0, bytes: 0 }
    entry.count++
    entry.bytes += data.nodes[i + sizeAt]!
    kinds.set(kind, entry)
  }
  return { kinds, ids }
}

/** The kinds that grew from one snapshot to the next, most bytes first. */
export function heapGrowth(before: Map<string, HeapKind>, after: Map<string, HeapKind>): HeapKind[] {
  const grown: HeapKind[] = []
  for (const [kind, now] of after) {
    const then = before.get(kind) ?? { count: 0, bytes: 0 }
    if (now.bytes > then.bytes || now.count > then.count)
      grown.push({ kind, count: now.count - then.count, bytes: now.bytes - then.bytes })
  }
  return grown.sort((a, b) => b.bytes - a.bytes)
}
