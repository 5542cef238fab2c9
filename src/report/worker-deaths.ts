import type { MemoryAtStart } from '../worker/trail.js'

/** A worker that died during a test file: killed by a signal, or ended with a code, before the file ended. */
export interface WorkerDeath {
  worker: number
  /** The signal that ended it (`SIGKILL` from an OOM killer or `kill -9`), or null where it exited with a code. */
  signal: string | null
  code: number | null
  project: string
  /** The file it was running (relative to the root). */
  file: string
  /** The test it was running, if one had started and not ended, and the worker's memory as it started. */
  test: { name: string, memory: MemoryAtStart } | null
  /** OOM kills the cgroup counted during the run (null where it cannot be read): a count above 0 names the kernel's OOM killer. */
  cgroupOomKills: number | null
  /** The files other workers were running at that moment. */
  alongside: Array<{ worker: number, file: string }>
  /** `Date.now()` when the main process saw it end. */
  at: number
}

/** How a death reads in one line: the signal or code, and what the cgroup counted. */
export function describeDeath(death: WorkerDeath): string {
  const how = death.signal ? `killed by ${death.signal}` : `exited with code ${death.code}`
  const oom = death.cgroupOomKills === null ? '' : death.cgroupOomKills > 0 ? `, the cgroup counted ${death.cgroupOomKills} OOM kill${death.cgroupOomKills === 1 ? '' : 's'}` : ', no OOM kill counted by the cgroup'
  return `Worker ${death.worker} ${how}${oom}`
}
