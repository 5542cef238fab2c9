// The main process's side of the trails: a directory per run, read after it. Apart from the
// worker's side (trail.ts), so test workers load neither node:os nor the reading code.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FileMemory } from './file-meter.js'
import type { TestMemoryRecord } from './test-recorder.js'
import type { MemoryAtStart, SettledState, TrailEntry } from './trail.js'

/** What the trails of a run say about one test. */
export interface TrailRecord {
  /** Memory when the test last started. */
  started: MemoryAtStart
  /** Its record, if the test finished. */
  finished: TestMemoryRecord | undefined
  /** Its result, if Vitest settled it (only under the plugin's runner). */
  settled?: SettledState
}

/** A trail's entries; a line cut short by a killed worker (or an empty last one) is skipped. */
function trailEntries(path: string): TrailEntry[] {
  return readFileSync(path, 'utf8').split('\n').flatMap((line) => {
    try {
      return [JSON.parse(line) as TrailEntry]
    }
    catch {
      return []
    }
  })
}

/** Reads every worker's trail in `directory`, by test id. Lines cut short by a killed worker are skipped. */
export function readTrails(directory: string): Map<string, TrailRecord> {
  const records = new Map<string, TrailRecord>()
  if (!existsSync(directory))
    return records
  for (const file of readdirSync(directory).filter(name => name.endsWith('.jsonl')).sort()) {
    for (const entry of trailEntries(join(directory, file))) {
      if (entry.event === 'start')
        records.set(entry.id, { started: entry.memory, finished: undefined })
      else if (entry.event === 'finish' && records.has(entry.id))
        records.get(entry.id)!.finished = entry.memory
      else if (entry.event === 'settle' && records.has(entry.id))
        records.get(entry.id)!.settled = entry.state
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

/** What one worker's trail says about its test files. */
export interface WorkerTrail {
  pid: number
  /** Files as they began, in order, each with its figures if it ended. */
  files: Array<{ file: string, at: number, ended: FileMemory | undefined }>
  /** The test started last and not finished, if any, with the worker's memory as it started. */
  runningTest: { id: string, memory: MemoryAtStart } | undefined
}

/** Every worker's trail in `directory`, by process id (the trail's file name). */
export function readWorkerTrails(directory: string): Map<number, WorkerTrail> {
  const workers = new Map<number, WorkerTrail>()
  if (!existsSync(directory))
    return workers
  for (const name of readdirSync(directory).filter(name => /^\d+\.jsonl$/.test(name))) {
    const worker: WorkerTrail = { pid: Number.parseInt(name, 10), files: [], runningTest: undefined }
    for (const entry of trailEntries(join(directory, name))) {
      if (entry.event === 'file-start')
        worker.files.push({ file: entry.file, at: entry.at, ended: undefined })
      else if (entry.event === 'file-end' && worker.files.at(-1)?.file === entry.file)
        worker.files.at(-1)!.ended = entry.memory
      else if (entry.event === 'start')
        worker.runningTest = { id: entry.id, memory: entry.memory }
      else if (entry.event === 'finish' && worker.runningTest?.id === entry.id)
        worker.runningTest = undefined
    }
    workers.set(worker.pid, worker)
  }
  return workers
}
