import { type GcEvent, summarizeGcTrace } from '../gc-trace.js'
import type { HeapPoint } from '../gc-trace.js'
import type { DomCounts } from '../probe.js'
import { type CdpClosedWindow, type CdpSession, cdpHeapNow, domCounts, domDifference } from './cdp.js'
import { GC_TRACE_CATEGORIES, gcEventsFromTrace, markerThread, type TraceEvent } from './trace.js'

// The browser probe's other half, in the Vitest process: it talks CDP to the page's target, so the
// trace (thousands of events in a busy window) never enters the heap being measured.

export interface CdpWindow {
  readonly baseline: HeapPoint
  /** DOM objects alive at the window's start, read with the baseline. */
  readonly domStart: DomCounts
  close: () => Promise<CdpClosedWindow>
}

/** Where the page keeps each open window's sentinel: an object only a WeakRef holds, which any GC frees. */
const SENTINELS = `globalThis[Symbol.for('vitest-memory-budget.sentinels')]`

/**
 * Memory windows on one page, nested (a matcher's inside a test's), over one GC trace that runs
 * from the first window on. Chromium hands over a trace's events only when the trace ends, which
 * costs the page 10 to 15 ms, so a window reads the trace only when a GC ran in it: each window
 * has a sentinel object that only a WeakRef holds, gone after any collection. Without one, the
 * heap only grew, and the peak is the end (exact, as at a GC boundary). With one, the trace is
 * ended, read and started again at once; while an outer window is open, a GC in the few
 * milliseconds between the two (when the page waits for the closing window's reply, running no test
 * code) is missed from the outer window.
 */
export function createPageTracer(session: CdpSession) {
  /** Events of the traces ended while a window was open, since the oldest open window opened. */
  let events: TraceEvent[] = []
  session.on('Tracing.dataCollected', (payload: { value: TraceEvent[] }) => {
    events.push(...payload.value)
  })
  /** Settles once the trace runs in the page; undefined while no trace runs. */
  let tracing: Promise<void> | undefined
  const open = new Set<string>()
  let markers = 0

  const evaluate = async (expression: string, awaitPromise = false) =>
    ((await session.send('Runtime.evaluate', { expression, awaitPromise, returnByValue: true })) as { result: { value?: unknown } }).result.value

  /** A marker nobody else writes; unique, so a late event of an older trace cannot match. */
  const nextMarker = () => `vitest-memory-budget:${++markers}`

  async function startTrace(): Promise<void> {
    await session.send('Tracing.start', { traceConfig: { includedCategories: GC_TRACE_CATEGORIES }, transferMode: 'ReportEvents' })
    // Tracing.start answers before the page has turned tracing on (measured under load: 4% of windows
    // lost their first events with a task turn in the page before the marker; none in 300 with the
    // GC's milliseconds too): the trace counts as running once the page ran a task after it.
    await evaluate(`new Promise(done => setTimeout(() => { console.timeStamp(${JSON.stringify(nextMarker())}); done() }))`, true)
  }

  /** Ends the trace and starts the next at once; returns every event the open windows may need. */
  async function readTrace(): Promise<TraceEvent[]> {
    await tracing
    const complete = new Promise<void>(resolve => session.once('Tracing.tracingComplete', () => resolve()))
    await session.send('Tracing.end')
    await complete
    const traced = events
    events = open.size === 0 ? [] : events
    // Awaited only when a window is open: between two tests the trace turns on while the page runs Vitest's own steps.
    tracing = startTrace()
    if (open.size > 0)
      await tracing
    else
      tracing.catch(() => {})
    return traced
  }

  /**
   * The GCs between a window's two markers. The trace runs on after the window's end (it ends a few
   * milliseconds later, or in a later test): a GC there is not the window's (measured: one in 8 runs
   * of a test with GCs counted the page's next collection, 20 MB more `allocated`).
   */
  async function gcsOf(markers: { start: string, end: string }, baseline: HeapPoint): Promise<GcEvent[]> {
    const traced = await readTrace()
    const start = markerThread(traced, markers.start)
    const end = markerThread(traced, markers.end)
    if (!start || !end)
      throw new Error('vitest-memory-budget: Chromium started tracing the page too late; the GCs of this call are unknown, so its figures would be wrong. Run it again.')
    return gcEventsFromTrace(traced.filter(event => event.ts <= end.ts), start, start.ts, baseline)
  }

  return {
    /**
     * Opens a window: the trace running, then `collect` (the baseline's collection, outside the
     * window), the marker and sentinel that start the window, the DOM counts and the baseline read
     * last. Sent together, run in order: the page's renderer answers CDP commands one after another.
     */
    async open(collect: () => Promise<void>): Promise<CdpWindow> {
      await (tracing ??= startTrace())
      await collect()
      const marker = nextMarker()
      const [, domStart, baseline] = await Promise.all([
        evaluate(`console.timeStamp(${JSON.stringify(marker)}); (${SENTINELS} ??= new Map()).set(${JSON.stringify(marker)}, new WeakRef({})); 0`),
        domCounts(session),
        cdpHeapNow(session),
      ])
      open.add(marker)
      return {
        baseline,
        domStart,
        async close() {
          // The end read first, then the marker that ends the window, at once after it.
          const endMarker = nextMarker()
          const [end, collected, domEnd] = await Promise.all([
            cdpHeapNow(session),
            evaluate(`console.timeStamp(${JSON.stringify(endMarker)}); (() => { const sentinel = ${SENTINELS}.get(${JSON.stringify(marker)}); ${SENTINELS}.delete(${JSON.stringify(marker)}); return sentinel.deref() === undefined })()`),
            domCounts(session),
          ])
          open.delete(marker)
          // The heap only shrinks at a GC: a lower end is one the sentinel missed.
          const gcs = collected === true || end.heap < baseline.heap ? await gcsOf({ start: marker, end: endMarker }, baseline) : []
          return {
            ...summarizeGcTrace(baseline, gcs, end),
            baseline,
            end,
            dom: domDifference(domEnd, domStart),
          }
        },
      }
    },
    /** Forgets windows never closed (a test that timed out inside a measurement). */
    reset(): void {
      open.clear()
    },
  }
}

export type PageTracer = ReturnType<typeof createPageTracer>
