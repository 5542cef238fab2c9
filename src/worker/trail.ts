import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import v8 from 'node:v8'
import { residentNow } from '../measure/rss.js'
import { heapNow } from '../measure/window.js'
import type { FileMemory } from './file-meter.js'
import type { TestMemoryRecord } from './test-recorder.js'

/** Memory of a worker when a test started: the last figures seen if the worker dies during it. */
export interface MemoryAtStart {
  heap: number
  external: number
  rss: number
  /**
   * The cap on the worker's heap set with the plugin's `heapLimit` option (its old generation), as
   * the user wrote it; without that option, V8's `heap_size_limit`.
   */
  heapLimit: number
  /**
   * V8's own limit (`heap_size_limit`): the old generation's cap plus the young generation, where a
   * runaway heap ends (`heapLimit: '128MB'` reads about 178 MB).
   */
  v8HeapLimit: number
}

/** A finished test's result, as a reporter's `TestCase` names it. */
export type SettledState = 'passed' | 'failed'

/**
 * A worker killed during a test (out of memory, a native crash, `process.exit`) sends Vitest nothing
 * more, not even the results of the tests it had finished (Vitest sends them in batches, at most every
 * 100 ms). So each worker also appends, as each test starts, ends and gets its final result, a line to
 * a file of its own, which the reporter reads after the run.
 */
export type TrailEntry =
  | { event: 'start', id: string, memory: MemoryAtStart }
  | { event: 'finish', id: string, memory: TestMemoryRecord }
  | { event: 'settle', id: string, state: SettledState }
  /** A test file began loading in this worker (`file` absolute), at `Date.now()`: what ran beside a worker that died. */
  | { event: 'file-start', file: string, at: number }
  /** A test file's whole-life figures, at its end. */
  | { event: 'file-end', file: string, memory: FileMemory }

export interface Trail {
  start: (id: string) => void
  finish: (id: string, memory: TestMemoryRecord) => void
  /** The test's result once Vitest settled it (`retry`, `fails` and a budget failure applied). */
  settle: (id: string, state: SettledState) => void
  fileStart: (file: string) => void
  fileEnd: (file: string, memory: FileMemory) => void
}

/** The trail of this worker process, in `directory`; `heapLimit` is the plugin's option, if set. */
export function openTrail(directory: string, heapLimit: number | undefined): Trail {
  // Fixed when the worker starts: read once, not on every test.
  const v8HeapLimit = v8.getHeapStatistics().heap_size_limit
  const limits = { heapLimit: heapLimit ?? v8HeapLimit, v8HeapLimit }
  let fd: number | undefined
  const append = (entry: TrailEntry) => {
    // Opened on first use: the directory belongs to the run and exists by then. A worker that
    // runs several files (isolate: false) keeps one file.
    fd ??= openSync(join(directory, `${process.pid}.jsonl`), 'a')
    // One write per line: a worker killed mid-write leaves at most its last line cut short.
    writeSync(fd, `${JSON.stringify(entry)}\n`)
  }
  process.once('exit', () => fd !== undefined && closeSync(fd))
  return {
    start(id) {
      const { heap, external } = heapNow()
      append({ event: 'start', id, memory: { heap, external, rss: residentNow(), ...limits } })
    },
    finish(id, memory) {
      append({ event: 'finish', id, memory })
    },
    settle(id, state) {
      append({ event: 'settle', id, state })
    },
    fileStart(file) {
      append({ event: 'file-start', file, at: Date.now() })
    },
    fileEnd(file, memory) {
      append({ event: 'file-end', file, memory })
    },
  }
}
