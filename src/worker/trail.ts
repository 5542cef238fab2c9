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
  /** The worker's V8 heap limit (`heap_size_limit`): where a runaway heap ends. */
  heapLimit: number
}

/**
 * A worker killed during a test (out of memory, a native crash, `process.exit`) sends Vitest nothing
 * more, not even the results of the tests it had finished. So each worker also appends, as each test
 * starts and ends, a line to a file of its own, which the reporter reads after the run.
 */
export type TrailEntry =
  | { event: 'start', id: string, memory: MemoryAtStart }
  | { event: 'finish', id: string, memory: TestMemoryRecord }
  /** A test file began loading in this worker (`file` absolute), at `Date.now()`: what ran beside a worker that died. */
  | { event: 'file-start', file: string, at: number }
  /** A test file's whole-life figures, at its end. */
  | { event: 'file-end', file: string, memory: FileMemory }

export interface Trail {
  start: (id: string) => void
  finish: (id: string, memory: TestMemoryRecord) => void
  fileStart: (file: string) => void
  fileEnd: (file: string, memory: FileMemory) => void
}

/** The trail of this worker process, in `directory`. */
export function openTrail(directory: string): Trail {
  // Fixed when the worker starts: read once, not on every test.
  const heapLimit = v8.getHeapStatistics().heap_size_limit
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
      append({ event: 'start', id, memory: { heap, external, rss: residentNow(), heapLimit } })
    },
    finish(id, memory) {
      append({ event: 'finish', id, memory })
    },
    fileStart(file) {
      append({ event: 'file-start', file, at: Date.now() })
    },
    fileEnd(file, memory) {
      append({ event: 'file-end', file, memory })
    },
  }
}
