import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import v8 from 'node:v8'
import { heapNow } from '../measure/window.js'
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

export interface Trail {
  start: (id: string) => void
  finish: (id: string, memory: TestMemoryRecord) => void
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
      append({ event: 'start', id, memory: { heap, external, rss: process.memoryUsage.rss(), heapLimit } })
    },
    finish(id, memory) {
      append({ event: 'finish', id, memory })
    },
  }
}

/** What the trails of a run say about one test. */
export interface TrailRecord {
  /** Memory when the test last started. */
  started: MemoryAtStart
  /** Its record, if the test finished. */
  finished: TestMemoryRecord | undefined
}

/** Reads every worker's trail in `directory`, by test id. Lines cut short by a killed worker are skipped. */
export function readTrails(directory: string): Map<string, TrailRecord> {
  const records = new Map<string, TrailRecord>()
  if (!existsSync(directory))
    return records
  for (const file of readdirSync(directory).filter(name => name.endsWith('.jsonl')).sort()) {
    for (const line of readFileSync(join(directory, file), 'utf8').split('\n')) {
      let entry: TrailEntry
      try {
        entry = JSON.parse(line) as TrailEntry
      }
      catch {
        continue
      }
      if (entry.event === 'start')
        records.set(entry.id, { started: entry.memory, finished: undefined })
      else if (entry.event === 'finish' && records.has(entry.id))
        records.get(entry.id)!.finished = entry.memory
    }
  }
  return records
}

/** Empties `directory` of trails, for the next run of a watch session. */
export function clearTrails(directory: string): void {
  if (!existsSync(directory))
    return
  for (const file of readdirSync(directory).filter(name => name.endsWith('.jsonl'))) rmSync(join(directory, file), { force: true })
}

const trailDirectories = new Set<string>()

/** A fresh directory for the trails of one Vitest run (or watch session), removed when the process exits. */
export function createTrailDirectory(): string {
  if (trailDirectories.size === 0)
    process.once('exit', () => trailDirectories.forEach(directory => rmSync(directory, { recursive: true, force: true })))
  const directory = mkdtempSync(join(tmpdir(), 'vitest-memory-budget-'))
  trailDirectories.add(directory)
  return directory
}
