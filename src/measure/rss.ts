import { openSync, readSync, writeSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Worker } from 'node:worker_threads'

/**
 * How peak RSS was measured: `kernel` reads Linux's resettable high-water mark (exact);
 * `sampler` polls RSS from a worker thread, which keeps running while the measured code blocks
 * the main thread, but can miss a spike shorter than its interval; `none`: not measured (a
 * browser page).
 */
export type RssMethod = 'kernel' | 'sampler' | 'none'

/** `auto` uses the kernel's high-water mark where /proc allows resetting it, the sampler elsewhere. */
export type RssMethodOption = 'auto' | Exclude<RssMethod, 'none'>

export interface RssWatch {
  readonly method: RssMethod
  /** RSS in bytes when the watch started. */
  readonly start: number
  /** Stops watching; returns the highest RSS seen since the start, in bytes. */
  stop: () => number
}

const STATUS = '/proc/self/status'
const CLEAR_REFS = '/proc/self/clear_refs'

/** Open kernel watches. Resetting the high-water mark would erase an outer watch's peak, so every reset first folds the current mark into all of them. */
const openKernelWatches = new Set<{ peak: number }>()

let kernelSupport: boolean | undefined

// Files stay open and buffers are reused: opening /proc files and reading them into strings would
// allocate on the very heap being measured, by amounts that vary with the digits read.
const statusBuffer = Buffer.alloc(4096)
const resetCommand = Buffer.from('5')
let statusFd: number | undefined
let clearRefsFd: number | undefined

/** Reads one `VmXXX:   1234 kB` field of /proc/self/status, in bytes, without allocating strings. */
function readStatusBytes(field: 'VmRSS:' | 'VmHWM:'): number {
  statusFd ??= openSync(STATUS, 'r')
  const length = readSync(statusFd, statusBuffer, 0, statusBuffer.length, 0)
  let at = statusBuffer.indexOf(field)
  if (at === -1 || at >= length)
    throw new Error(`${STATUS} has no ${field} line`)
  at += field.length
  while (statusBuffer[at] === 0x20 || statusBuffer[at] === 0x09) at++
  let kib = 0
  for (let digit = statusBuffer[at]! - 0x30; digit >= 0 && digit <= 9; digit = statusBuffer[++at]! - 0x30) kib = kib * 10 + digit
  return kib * 1024
}

const STATM = '/proc/self/statm'
let statmFd: number | undefined
let pageSize: number | undefined

/**
 * Resident memory now, in bytes. /proc/self/statm counts it in pages and costs the kernel a fifth of
 * what the status file does (whose every line it formats); elsewhere, Node's own reading.
 */
export function residentNow(): number {
  if (statmFd === undefined) {
    try {
      statmFd = openSync(STATM, 'r')
    }
    catch {
      statmFd = -1
    }
  }
  if (statmFd === -1)
    return process.memoryUsage.rss()
  // "size resident shared ...": the second number.
  const length = readSync(statmFd, statusBuffer, 0, statusBuffer.length, 0)
  let at = statusBuffer.indexOf(0x20) + 1
  let pages = 0
  for (let digit = statusBuffer[at]! - 0x30; at < length && digit >= 0 && digit <= 9; digit = statusBuffer[++at]! - 0x30) pages = pages * 10 + digit
  // Node's reading is in bytes: their ratio, rounded to a power of two, is the page size (no API gives it).
  pageSize ??= 2 ** Math.round(Math.log2(process.memoryUsage.rss() / pages))
  return pages * pageSize
}

function resetHighWaterMark(): void {
  if (openKernelWatches.size > 0) {
    const hwm = readStatusBytes('VmHWM:')
    for (const watch of openKernelWatches) watch.peak = Math.max(watch.peak, hwm)
  }
  // "5" resets only the peak RSS (Linux >= 4.0); it needs no privileges for one's own process.
  clearRefsFd ??= openSync(CLEAR_REFS, 'w')
  writeSync(clearRefsFd, resetCommand, 0, 1, 0)
}

/** Whether this process can reset and read the kernel's RSS high-water mark. */
export function kernelRssAvailable(): boolean {
  if (kernelSupport === undefined) {
    try {
      resetHighWaterMark()
      kernelSupport = readStatusBytes('VmHWM:') > 0 && readStatusBytes('VmRSS:') > 0
    }
    catch {
      kernelSupport = false
    }
  }
  return kernelSupport
}

function watchKernel(): RssWatch {
  resetHighWaterMark()
  const start = residentNow()
  const watch = { peak: start }
  openKernelWatches.add(watch)
  return {
    method: 'kernel',
    start,
    stop() {
      openKernelWatches.delete(watch)
      return Math.max(watch.peak, readStatusBytes('VmHWM:'))
    },
  }
}

/**
 * The sampler thread writes the highest RSS it has seen into shared memory, so the main thread can
 * read it without a message round trip. Int32 slots: 0 running flag, 1 interval in µs, 2 ready
 * flag; bytes 16-23: peak RSS (Float64), reset by the main thread when a watch starts.
 */
const SAMPLER_SOURCE = `
const { workerData } = require('node:worker_threads')
const control = new Int32Array(workerData, 0, 3)
const peak = new Float64Array(workerData, 16, 1)
Atomics.store(control, 2, 1)
Atomics.notify(control, 2)
while (Atomics.load(control, 0) === 1) {
  const rss = process.memoryUsage.rss()
  if (rss > peak[0]) peak[0] = rss
  Atomics.wait(control, 0, 1, Atomics.load(control, 1) / 1000)
}
`

interface Sampler {
  worker: Worker
  control: Int32Array
  peak: Float64Array
  watches: number
}

let sampler: Sampler | undefined

function startSampler(intervalMs: number): Sampler {
  const shared = new SharedArrayBuffer(24)
  const control = new Int32Array(shared, 0, 3)
  control[0] = 1
  control[1] = Math.max(1, Math.round(intervalMs * 1000))
  // Required here, not imported: only systems without a resettable /proc start the sampler, and
  // node:worker_threads would add six built-in modules to every test worker's start.
  const { Worker } = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads')
  const worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: shared })
  worker.unref()
  // Wait for the first sample loop: code measured right after this may block the main thread, and
  // a sampler still booting would miss everything it does.
  if (Atomics.wait(control, 2, 0, 10_000) === 'timed-out')
    throw new Error('The RSS sampler thread did not start within 10 s.')
  return { worker, control, peak: new Float64Array(shared, 16, 1), watches: 0 }
}

function watchSampler(intervalMs: number): RssWatch {
  sampler ??= startSampler(intervalMs)
  const active = sampler
  Atomics.store(active.control, 1, Math.max(1, Math.round(intervalMs * 1000)))
  const start = process.memoryUsage.rss()
  // Concurrent watches share one peak slot; only the first resets it so an outer watch keeps its peak.
  if (active.watches === 0)
    active.peak[0] = start
  active.watches++
  return {
    method: 'sampler',
    start,
    stop() {
      active.watches--
      return Math.max(active.peak[0]!, process.memoryUsage.rss())
    },
  }
}

/** Stops the sampler thread, if one was started. Tests call it; a process may simply exit. */
export async function stopRssSampler(): Promise<void> {
  const active = sampler
  sampler = undefined
  if (!active)
    return
  Atomics.store(active.control, 0, 0)
  Atomics.notify(active.control, 0)
  await active.worker.terminate()
}

/** Starts watching peak RSS with the requested method. */
export function watchRss(option: RssMethodOption = 'auto', samplerIntervalMs = 1): RssWatch {
  if (option === 'sampler' || (option === 'auto' && !kernelRssAvailable()))
    return watchSampler(samplerIntervalMs)
  if (option === 'kernel' && !kernelRssAvailable())
    throw new Error(`rss: 'kernel' needs a writable ${CLEAR_REFS} (Linux >= 4.0); use 'auto' to fall back to sampling.`)
  return watchKernel()
}

/** A peak RSS watch over a long stretch (a test file's life in its worker): see {@link watchLongRss}. */
export interface LongRssWatch {
  /** `kernel`: the high-water mark over the stretch; `lifetime`: the process's peak so far (an upper bound). */
  readonly method: 'kernel' | 'lifetime'
  stop: () => number
}

/**
 * Peak RSS over a long stretch without a sampler thread polling all along: the kernel's high-water
 * mark where it can be reset (test windows that reset it inside the stretch fold it in first), else
 * the process's lifetime peak from getrusage. `sinceStart`: the stretch began with the process, so
 * the mark is read as it stands before anything resets it (Vitest's start and the test environment
 * count).
 */
export function watchLongRss(sinceStart: boolean): LongRssWatch {
  let before = 0
  if (sinceStart) {
    try {
      before = readStatusBytes('VmHWM:')
    }
    catch {
      // No /proc: the lifetime figure below covers the start anyway.
    }
  }
  if (!kernelRssAvailable())
    return { method: 'lifetime', stop: () => process.resourceUsage().maxRSS * 1024 }
  const watch = watchKernel()
  return { method: 'kernel', stop: () => Math.max(before, watch.stop()) }
}
