import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import type { HeapPoint } from '../gc-trace.js'
import type { ClosedWindow, DomCounts } from '../probe.js'

// The browser probe's other half, in the Vitest process: it talks CDP to the page's target, so the
// trace (thousands of events in a busy window) never enters the heap being measured.

/** The part of a CDP session used here; Playwright's `CDPSession` has this shape. */
export interface CdpSession {
  send: (method: string, params?: object) => Promise<unknown>
  on: (event: string, listener: (payload: never) => void) => unknown
  off: (event: string, listener: (payload: never) => void) => unknown
  once: (event: string, listener: (payload: never) => void) => unknown
}

interface HeapUsage {
  usedSize: number
  backingStorageSize: number
}

/** Heap and ArrayBuffer backing stores of the page's isolate, which the tester page and its test iframes share. */
export async function cdpHeapNow(session: CdpSession): Promise<HeapPoint> {
  const usage = await session.send('Runtime.getHeapUsage') as HeapUsage
  return { heap: usage.usedSize, external: usage.backingStorageSize }
}

export async function cdpCollectGarbage(session: CdpSession): Promise<void> {
  await session.send('HeapProfiler.collectGarbage')
}

/** Writes a heap snapshot of the page, after two full GCs as Node's leak explanation takes its own. */
export async function cdpHeapSnapshot(session: CdpSession, path: string): Promise<string> {
  await cdpCollectGarbage(session)
  await cdpCollectGarbage(session)
  const file = createWriteStream(path)
  const write = (payload: { chunk: string }) => file.write(payload.chunk)
  session.on('HeapProfiler.addHeapSnapshotChunk', write)
  try {
    await session.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false })
  }
  finally {
    session.off('HeapProfiler.addHeapSnapshotChunk', write)
    file.end()
  }
  await finished(file)
  return path
}

export async function domCounts(session: CdpSession): Promise<DomCounts> {
  const counters = await session.send('Memory.getDOMCounters') as { nodes: number, documents: number, jsEventListeners: number }
  return { nodes: counters.nodes, documents: counters.documents, listeners: counters.jsEventListeners }
}

/** `end` minus `start`, count by count. */
export function domDifference(end: DomCounts, start: DomCounts): DomCounts {
  return { nodes: end.nodes - start.nodes, documents: end.documents - start.documents, listeners: end.listeners - start.listeners }
}

/** What CDP tells of a window; the page adds what only it knows (the call's duration) and what no page has (RSS). */
export type CdpClosedWindow = Omit<ClosedWindow, 'rss' | 'rssMethod' | 'native' | 'nativeMethod' | 'duration'>
