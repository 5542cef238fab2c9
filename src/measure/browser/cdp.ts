import { createWriteStream } from 'node:fs'
import { finished } from 'node:stream/promises'
import { summarizeGcTrace, type HeapPoint } from '../gc-trace.js'
import type { ClosedWindow, DomCounts } from '../probe.js'
import { GC_TRACE_CATEGORIES, gcEventsFromTrace, markerThread, type TraceEvent } from './trace.js'

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

/** Names the window's start in the trace; unique per window, so a late event of an older trace cannot match. */
let windows = 0

/** What CDP tells of a window; the page adds what only it knows (the call's duration) and what no page has (RSS). */
export type CdpClosedWindow = Omit<ClosedWindow, 'rss' | 'rssMethod' | 'duration'>

export interface CdpWindow {
  close: () => Promise<CdpClosedWindow>
}

/** Opens a window over CDP: the trace starts, a full GC cleans the heap, the baseline is read last. */
export async function openCdpWindow(session: CdpSession): Promise<CdpWindow> {
  const events: TraceEvent[] = []
  const collect = (payload: { value: TraceEvent[] }) => events.push(...payload.value)
  session.on('Tracing.dataCollected', collect)
  await session.send('Tracing.start', { traceConfig: { includedCategories: GC_TRACE_CATEGORIES }, transferMode: 'ReportEvents' })
  // Tracing.start answers before the page has turned tracing on (measured under load: 4% of windows
  // lost their first events with a task turn in the page before the marker; none in 300 with the
  // GC's milliseconds too), so the GC runs after it, and the marker says where the window starts.
  await cdpCollectGarbage(session)
  const marker = `vitest-memory-budget:${++windows}`
  await session.send('Runtime.evaluate', { expression: `new Promise(done => setTimeout(() => { console.timeStamp(${JSON.stringify(marker)}); done() }))`, awaitPromise: true })
  const domStart = await domCounts(session)
  const baseline = await cdpHeapNow(session)

  return {
    async close() {
      const end = await cdpHeapNow(session)
      const domEnd = await domCounts(session)
      const complete = new Promise<void>(resolve => session.once('Tracing.tracingComplete', () => resolve()))
      try {
        await session.send('Tracing.end')
        await complete
      }
      finally {
        session.off('Tracing.dataCollected', collect)
      }
      const thread = markerThread(events, marker)
      if (!thread)
        throw new Error('vitest-memory-budget: Chromium started tracing the page too late; the GCs of this call are unknown, so its figures would be wrong. Run it again.')
      return {
        ...summarizeGcTrace(baseline, gcEventsFromTrace(events, thread, thread.ts, baseline), end),
        baseline,
        end,
        dom: { nodes: domEnd.nodes - domStart.nodes, documents: domEnd.documents - domStart.documents, listeners: domEnd.listeners - domStart.listeners },
      }
    },
  }
}
