import type { GcEvent, HeapPoint } from '../gc-trace.js'

/** One event of a Chrome trace, as CDP's `Tracing.dataCollected` delivers it; only the fields read here. */
export interface TraceEvent {
  name: string
  ph: string
  /** Microseconds, on the trace's own clock. */
  ts: number
  dur?: number
  pid: number
  tid: number
  args?: Record<string, unknown>
}

/** The thread whose GCs count: the page's main thread, where the tests run. */
export interface TraceThread {
  pid: number
  tid: number
}

/** Trace categories that carry every GC of the page with the heap before and after it, and the external memory after it. */
export const GC_TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-v8.gc']

interface GcArgs {
  usedHeapSizeBefore: number
  usedHeapSizeAfter: number
}

function isGc(event: TraceEvent): event is TraceEvent & { args: GcArgs } {
  return (event.name === 'MinorGC' || event.name === 'MajorGC') && event.ph === 'X' && typeof event.args?.usedHeapSizeBefore === 'number'
}

/** External memory after a GC, from V8's heap statistics event that closes it. */
function externalAfter(event: TraceEvent): number | undefined {
  if (event.name !== 'V8.GC_Heap_Stats' || typeof event.args?.stats !== 'string')
    return undefined
  const external = (JSON.parse(event.args.stats) as { external_memory?: unknown }).external_memory
  return typeof external === 'number' ? external : undefined
}

/**
 * The GCs of one thread from `since` on, with the heap before and after each (V8's own figures, as
 * Node's GC profiler gives them). Chromium traces external memory only after a GC; as it only grows
 * between GCs, the external memory before one is at least the larger of the values after it and
 * after the GC before: that bound is used, so an ArrayBuffer allocated and freed between two GCs is
 * missed from the external peak (see README, "Browser mode").
 */
export function gcEventsFromTrace(events: readonly TraceEvent[], thread: TraceThread, since: number, start: HeapPoint): GcEvent[] {
  const ours = events
    .filter(e => e.pid === thread.pid && e.tid === thread.tid && e.ts >= since)
    .sort((a, b) => a.ts - b.ts)
  const gcs: GcEvent[] = []
  let external = start.external
  let open: GcEvent | undefined
  for (const event of ours) {
    if (isGc(event)) {
      const gc: GcEvent = {
        type: event.name === 'MinorGC' ? 'scavenge' : 'mark-compact',
        before: { heap: event.args.usedHeapSizeBefore, external },
        after: { heap: event.args.usedHeapSizeAfter, external },
        duration: (event.dur ?? 0) / 1000,
      }
      gcs.push(gc)
      open = gc
      continue
    }
    const after = externalAfter(event)
    if (after === undefined || !open)
      continue
    open.after.external = after
    open.before.external = Math.max(open.before.external, after)
    external = after
    open = undefined
  }
  return gcs
}

/** The thread that wrote the marker: the page's main thread, found by a `console.timeStamp(marker)` run in it. */
export function markerThread(events: readonly TraceEvent[], marker: string): (TraceThread & { ts: number }) | undefined {
  const stamp = events.find(e => e.name === 'TimeStamp' && (e.args?.data as { message?: unknown } | undefined)?.message === marker)
  return stamp && { pid: stamp.pid, tid: stamp.tid, ts: stamp.ts }
}
