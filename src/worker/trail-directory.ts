// The main process's side of the trails: a directory per run, read after it. Apart from the
// worker's side (trail.ts), so test workers load neither node:os nor the reading code.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
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
