import { summarizeGcTrace } from '../gc-trace.js'
import type { HeapPoint } from '../gc-trace.js'
import { type CdpClosedWindow, type CdpSession, cdpHeapNow, domCounts } from './cdp.js'
import { GC_TRACE_CATEGORIES, gcEventsFromTrace, markerThread, type TraceEvent } from './trace.js'

// The browser probe's other half, in the Vitest process: it talks CDP to the page's target, so the
// trace (thousands of events in a busy window) never enters the heap being measured.

export interface CdpWindow {
  readonly baseline: HeapPoint
  close: () => Promise<CdpClosedWindow>
}

/**
 * Memory windows on one page, nested (a matcher's inside a test's) over one GC trace. The trace runs
 * while any window is open. Chromium hands over a trace's events only when it ends, so closing a
 * window ends the trace, and starts it again at once when an outer window is still open: a GC
 * in the few milliseconds between the two (when the page waits for the closing window's reply,
 * running no test code) is missed from the outer window.
 */
export function createPageTracer(session: CdpSession) {
  /** Every event traced since the oldest open window opened. */
  let events: TraceEvent[] = []
  session.on('Tracing.dataCollected', (payload: { value: TraceEvent[] }) => {
    events.push(...payload.value)
  })
  /** Settles once the trace runs in the page; undefined while no trace runs. */
  let tracing: Promise<void> | undefined
  const open = new Set<{ marker: string }>()
  let markers = 0

  /** Names a moment in the trace; unique, so a late event of an older trace cannot match. */
  async function stamp(afterTaskTurn: boolean): Promise<string> {
    const marker = `vitest-memory-budget:${++markers}`
    const expression = afterTaskTurn
      ? `new Promise(done => setTimeout(() => { console.timeStamp(${JSON.stringify(marker)}); done() }))`
      : `console.timeStamp(${JSON.stringify(marker)})`
    await session.send('Runtime.evaluate', { expression, awaitPromise: afterTaskTurn })
    return marker
  }

  async function startTrace(): Promise<void> {
    await session.send('Tracing.start', { traceConfig: { includedCategories: GC_TRACE_CATEGORIES }, transferMode: 'ReportEvents' })
    // Tracing.start answers before the page has turned tracing on (measured under load: 4% of windows
    // lost their first events with a task turn in the page before the marker; none in 300 with the
    // GC's milliseconds too): the trace counts as running once the page ran a task after it.
    await stamp(true)
  }

  async function endTrace(): Promise<void> {
    const complete = new Promise<void>(resolve => session.once('Tracing.tracingComplete', () => resolve()))
    await session.send('Tracing.end')
    await complete
  }

  return {
    /**
     * Opens a window: the trace running, then `collect` (the baseline's collection, outside the
     * window), the marker that starts the window, the DOM counts and the baseline read last.
     */
    async open(collect: () => Promise<void>): Promise<CdpWindow> {
      await (tracing ??= startTrace())
      await collect()
      const window = { marker: await stamp(false) }
      const domStart = await domCounts(session)
      const baseline = await cdpHeapNow(session)
      open.add(window)
      return {
        baseline,
        async close() {
          const end = await cdpHeapNow(session)
          const domEnd = await domCounts(session)
          open.delete(window)
          await tracing
          tracing = undefined
          await endTrace()
          const traced = events
          if (open.size === 0)
            events = []
          else
            await (tracing = startTrace())
          const thread = markerThread(traced, window.marker)
          if (!thread)
            throw new Error('vitest-memory-budget: Chromium started tracing the page too late; the GCs of this call are unknown, so its figures would be wrong. Run it again.')
          return {
            ...summarizeGcTrace(baseline, gcEventsFromTrace(traced, thread, thread.ts, baseline), end),
            baseline,
            end,
            dom: { nodes: domEnd.nodes - domStart.nodes, documents: domEnd.documents - domStart.documents, listeners: domEnd.listeners - domStart.listeners },
          }
        },
      }
    },
    /** Ends a trace left running by windows never closed (a test that timed out inside a measurement). */
    async reset(): Promise<void> {
      open.clear()
      events = []
      if (!tracing)
        return
      await tracing.catch(() => {})
      tracing = undefined
      await endTrace().catch(() => {})
    },
  }
}

export type PageTracer = ReturnType<typeof createPageTracer>
