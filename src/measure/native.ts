import { createRequire } from 'node:module'

/**
 * How `native` (the C heap: malloc and its family, C++ `new`) was measured: `interposer` counts every
 * call in a library preloaded into the worker (exact peaks); `none`: not measured here, and `native`
 * is NaN, never 0.
 */
export type NativeMethod = 'interposer' | 'none'

/**
 * The environment variable the plugin sets, beside LD_PRELOAD, for the workers it forks: the path of
 * the preloaded library (native/native-heap.c reads it to cut itself out of LD_PRELOAD).
 */
export const NATIVE_LIBRARY_VARIABLE = 'VITEST_MEMORY_BUDGET_NATIVE'

/** Set instead, by the plugin, where its workers cannot count their C heap: why. */
export const NATIVE_UNAVAILABLE_VARIABLE = 'VITEST_MEMORY_BUDGET_NATIVE_UNAVAILABLE'

/** What native/native-heap.c exports to JavaScript. */
interface NativeHeapModule {
  /** Ends the counters' current segment and writes it to `snapshot`: lowest, highest, highest rise, live. */
  reset: () => void
  snapshot: ArrayBuffer
  /** Whether its malloc is the process's (loaded without LD_PRELOAD it counts nothing). */
  interposing: boolean
}

/** An open window's view of the C heap, composed from the segments that ended while it was open. */
interface NativeSpan {
  /** Lowest live count seen so far. */
  low: number
  /** Highest rise above a lower point before it, so far. */
  rise: number
}

export interface NativeWindow {
  /** The highest the C heap rose above its lowest point before, in bytes, since the window opened. */
  close: () => number
}

type Counters = { reset: () => void, snapshot: Float64Array }

/**
 * Shared through the process, not this module: the runner's windows and a test file's matchers may
 * be two instances of it (Vite loads the test's imports apart from the runner's), over the one set of
 * counters, and each must fold the segments the other ends into its own open windows.
 */
interface SharedState {
  library: Counters | null | undefined
  openSpans: Set<NativeSpan>
}
const SHARED = Symbol.for('vitest-memory-budget.native')
const shared: SharedState = ((globalThis as { [SHARED]?: SharedState })[SHARED] ??= { library: undefined, openSpans: new Set() })
const openSpans = shared.openSpans

/** Loads the preloaded library as a Node-API module: the same loaded object, so the same counters. */
function loadLibrary(): Counters | null {
  const path = process.env[NATIVE_LIBRARY_VARIABLE]
  if (!path)
    return null
  // The library cut itself out of LD_PRELOAD when it loaded, but Vitest writes the project's `env`
  // into process.env again for each test file: the children a test spawns must not inherit it.
  dropFromPreload(path)
  try {
    const module = createRequire(import.meta.url)(path) as NativeHeapModule
    return module.interposing ? { reset: module.reset, snapshot: new Float64Array(module.snapshot) } : null
  }
  catch {
    // The plugin checked, once per run, that a worker loads it and said why not.
    return null
  }
}

/** Removes `path` from process.env.LD_PRELOAD (entries are separated by spaces or colons), and the variable if nothing is left. */
export function dropFromPreload(path: string): void {
  const preload = process.env.LD_PRELOAD
  if (preload === undefined)
    return
  const rest = preload.split(/[ :]/).filter(entry => entry !== '' && entry !== path)
  if (rest.length === 0)
    delete process.env.LD_PRELOAD
  else
    process.env.LD_PRELOAD = rest.join(':')
}

function nativeLibrary(): Counters | null {
  if (shared.library === undefined)
    shared.library = loadLibrary()
  else if (shared.library)
    dropFromPreload(process.env[NATIVE_LIBRARY_VARIABLE]!)
  return shared.library
}

/** Why this process's C heap is not counted, or undefined where it is (the plugin preloaded the library into this worker). */
export function nativeUnavailable(): string | undefined {
  if (nativeLibrary())
    return undefined
  return process.env[NATIVE_UNAVAILABLE_VARIABLE]
    ?? (process.env[NATIVE_LIBRARY_VARIABLE]
      ? 'the library the plugin preloads did not load into this worker'
      : 'this process was not started by the plugin with its library preloaded (it preloads it into the forked workers of Node projects)')
}

/**
 * Ends the library's current segment and folds it into every open window: a window's highest rise is
 * the highest of its segments' own rises and of each segment's highest above the lowest point of the
 * segments before it. Nested windows thus share one set of counters. Returns the live count.
 */
function endSegment(counters: Counters): number {
  counters.reset()
  const values = counters.snapshot
  const low = values[0]!
  const high = values[1]!
  const rise = values[2]!
  for (const span of openSpans) {
    span.rise = Math.max(span.rise, rise, high - span.low)
    span.low = Math.min(span.low, low)
  }
  return values[3]!
}

/**
 * Starts watching the C heap: `close()` gives the highest it rose above the lowest it was at since
 * (so memory older than the window that the window frees does not offset what it then allocates,
 * the rule heap and external follow: src/measure/gc-trace.ts), or undefined where it is not counted.
 * Threads allocate concurrently: what they allocate while a window opens or closes lands on either
 * side of it.
 */
export function openNativeWindow(): NativeWindow | undefined {
  const counters = nativeLibrary()
  if (!counters)
    return undefined
  const span: NativeSpan = { low: 0, rise: 0 }
  span.low = endSegment(counters)
  openSpans.add(span)
  return {
    close() {
      endSegment(counters)
      openSpans.delete(span)
      return span.rise
    },
  }
}
