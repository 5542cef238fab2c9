import { relative } from 'node:path'
import type { TestModule } from 'vitest/node'
import type { FileBudgetRule } from '../report/file-budgets.js'
import { type ReportFile, sortFiles, toReportFile, withFileBudget } from '../report/file-model.js'
import type { WorkerDeath } from '../report/worker-deaths.js'
import type { WorkerTrail } from '../worker/trail-directory.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { toPosix } from './collect.js'
import type { WorkerExit } from './worker-exits.js'

export interface CollectedFiles {
  files: ReportFile[]
  deaths: WorkerDeath[]
}

export interface FileSources {
  root: string
  projectName: (name: string) => string
  /** Every worker's trail, by process id. */
  trails: ReadonlyMap<number, WorkerTrail>
  /** Child processes' ends seen during the run. */
  exits: ReadonlyMap<number, WorkerExit>
  /** OOM kills the cgroup counted during the run; null where unreadable. */
  cgroupOomKills: number | null
  /** Full test names by Vitest's test id, to name the test a dead worker was running. */
  testName: (id: string) => string | undefined
  fileBudgets: readonly FileBudgetRule[]
}

/**
 * Every test file's whole-life figures (from its task, or from its worker's trail where Vitest lost
 * them), and the workers that died during a file. A worker stopped by Vitest (SIGTERM, exit code 0)
 * between files is not a death; one whose last file never ended and that exited by another signal
 * or a non-zero code is.
 */
export function collectFiles(testModules: ReadonlyArray<TestModule>, sources: FileSources): CollectedFiles {
  const relativeOf = (path: string) => toPosix(relative(sources.root, path))
  const projectOf = new Map<string, string>()
  const files: ReportFile[] = []
  const reported = new Set<string>()
  for (const module of testModules) {
    if ((module.meta() as { typecheck?: boolean }).typecheck)
      continue
    const project = sources.projectName(module.project.name)
    projectOf.set(module.moduleId, project)
    const memory = (module.meta() as MemoryTaskMeta).memoryFile
    if (memory) {
      files.push(toReportFile(project, relativeOf(module.moduleId), memory))
      reported.add(`${memory.worker}\0${memory.order}`)
    }
  }
  for (const trail of sources.trails.values()) {
    for (const entry of trail.files) {
      if (entry.ended && !reported.has(`${entry.ended.worker}\0${entry.ended.order}`) && projectOf.has(entry.file))
        files.push(toReportFile(projectOf.get(entry.file)!, relativeOf(entry.file), entry.ended))
    }
  }
  const deaths: WorkerDeath[] = []
  for (const trail of sources.trails.values()) {
    const last = trail.files.at(-1)
    const exit = sources.exits.get(trail.pid)
    if (!last || last.ended || !exit || (exit.signal === null ? exit.code === 0 : exit.signal === 'SIGTERM'))
      continue
    const alongside = [...sources.trails.values()].filter(other => other.pid !== trail.pid).flatMap((other) => {
      const running = other.files.find(file => file.at <= exit.at && (!file.ended || file.ended.endedAt >= exit.at))
      return running ? [{ worker: other.pid, file: relativeOf(running.file) }] : []
    })
    const test = trail.runningTest
    deaths.push({
      worker: trail.pid,
      signal: exit.signal,
      code: exit.code,
      project: projectOf.get(last.file) ?? '',
      file: relativeOf(last.file),
      test: test ? { name: sources.testName(test.id) ?? test.id, memory: test.memory } : null,
      cgroupOomKills: sources.cgroupOomKills,
      alongside,
      at: exit.at,
    })
  }
  return { files: sortFiles(files.map(file => withFileBudget(file, sources.fileBudgets))), deaths: deaths.sort((a, b) => a.at - b.at) }
}
