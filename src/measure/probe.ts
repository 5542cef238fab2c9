import type { AllocationSampling } from './allocation-sites.js'
import type { GcTraceSummary, HeapPoint } from './gc-trace.js'
import type { NativeMethod } from './native.js'
import type { RssMethod, RssMethodOption } from './rss.js'

// What differs between runtimes, as Vitest puts Playwright, WebdriverIO and preview behind one browser
// provider: everything above a probe (the gc-trace summary, the measurement's policy, budgets,
// failure messages) is shared. This module and the core it names import no `node:` module, so the
// browser side can load them.

export type MaybePromise<T> = T | Promise<T>

/** `then` that stays synchronous for a value that is not a promise. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return value instanceof Promise ? value.then(next) : next(value)
}

/** DOM objects alive in the page, counted by Chromium (detached nodes included until collected). */
export interface DomCounts {
  nodes: number
  documents: number
  listeners: number
}

/** What happened in a closed window, relative to its baseline. */
export interface ClosedWindow extends GcTraceSummary {
  baseline: HeapPoint
  end: HeapPoint
  /** Peak RSS above the RSS at the start, in bytes; NaN where the runtime cannot read it. */
  rss: number
  rssMethod: RssMethod
  /** Peak of the C heap above its level at the start, in bytes; NaN where it is not measured. */
  native: number
  nativeMethod: NativeMethod
  /** Milliseconds the window was open. */
  duration: number
  /** DOM objects at the end minus at the start; only in a browser. */
  dom?: DomCounts
}

export interface ProbeWindow {
  /** Reads the end state before anything of the probe's own is allocated. */
  close: () => MaybePromise<ClosedWindow>
}

export interface WindowOptions {
  rss?: RssMethodOption
  rssSampleInterval?: number
}

export interface MemoryProbe {
  /** Whether the runtime sees its process's resident memory (a page does not). */
  measuresRss: boolean
  /** Why `native` (the C heap) is not measured here, or undefined where it is. */
  nativeUnavailable: () => string | undefined
  /** A full garbage collection, finished when this returns or resolves. */
  collectGarbage: () => MaybePromise<void>
  /**
   * Collects garbage fully for a clean baseline, then records every GC with the heap before and
   * after it; the baseline is read last.
   */
  openWindow: (options: WindowOptions) => MaybePromise<ProbeWindow>
  /** Heap and external memory in use now. */
  heapNow: () => MaybePromise<HeapPoint>
  /** DOM objects alive now, where there is a DOM. */
  domNow?: () => MaybePromise<DomCounts>
  /** Bytes of compiled code on the heap now, where the runtime tells them apart. */
  codeNow?: () => number
  /** Where the runtime can sample allocation sites. */
  sampleAllocations?: () => Promise<AllocationSampling>
  /**
   * Runs measurements one after another: one heap, one set of GC counters, so two at once would
   * each count the other's memory. A measurement nested in another runs at once.
   */
  exclusive: <T>(task: () => Promise<T>) => Promise<T>
}
