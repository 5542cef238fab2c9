import v8 from 'node:v8'
import vm from 'node:vm'

/** `gc()` runs a full, synchronous collection; `gc({ type: 'minor' })` only the young generation. */
export type GcFunction = (options?: { type: 'minor' }) => void

let cached: GcFunction | undefined

/**
 * A function that runs a garbage collection on demand.
 * Uses `globalThis.gc` when the process runs with `--expose-gc` (the plugin adds it); otherwise
 * turns the flag on at runtime and takes `gc` from a fresh context, as Jest's leak detector does,
 * so measuring works in any process.
 */
export function getGc(): GcFunction {
  if (cached)
    return cached
  // With concurrent sweeping, the external memory of freed ArrayBuffers is subtracted on a helper
  // thread some time after the GC: a drop inside the next measured window would hide its
  // allocations. Swept within the GC, external memory again only falls at GC boundaries.
  // (--single-threaded, which the plugin adds, implies this; without the plugin it is needed.)
  v8.setFlagsFromString('--no-concurrent-array-buffer-sweeping')
  const fromGlobal = (globalThis as { gc?: unknown }).gc
  if (typeof fromGlobal === 'function') {
    cached = fromGlobal as GcFunction
    return cached
  }
  v8.setFlagsFromString('--expose-gc')
  const fromContext = vm.runInNewContext('gc') as unknown
  if (typeof fromContext !== 'function')
    throw new Error('vitest-memory-budget could not obtain a gc() function; run Node with --expose-gc.')
  cached = fromContext as GcFunction
  return cached
}
