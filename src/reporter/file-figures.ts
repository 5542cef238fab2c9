import { availableParallelism } from 'node:os'
import type { TestModule, Vitest } from 'vitest/node'
import type { FileBudgetRule } from '../report/file-budgets.js'
import { readCgroupMemory, runnerMemory } from './cgroup.js'
import { residentNow } from '../measure/rss.js'
import type { CollectedTest, MemoryReport } from '../report/model.js'
import { runnerFit } from '../report/runner-fit.js'
import { readWorkerTrails } from '../worker/trail-directory.js'
import { collectFiles } from './collect-files.js'
import { patternsMatchingFiles } from './files-on-disk.js'
import { watchWorkerExits, type WorkerExit } from './worker-exits.js'

export interface FileFigureOptions {
  root: string
  trailDirectory: string
  fileBudgets: readonly FileBudgetRule[]
  runner: { memory: number | undefined, failAbove: number | undefined }
}

/** What a run of the reporter keeps from its start for the files' figures at its end. */
export interface FileRunStart {
  exits: ReadonlyMap<number, WorkerExit>
  startedAt: number
  oomKills: number | undefined
}

export function startFileRun(): FileRunStart {
  return { exits: watchWorkerExits(), startedAt: Date.now(), oomKills: readCgroupMemory()?.oomKills }
}

/** Workers the pool runs at once: `maxWorkers`, or 1 where files do not run in parallel. */
function concurrencyOf(config: Vitest['config']): number {
  // Vitest 4's resolved config types no `fileParallelism` (it folds it into maxWorkers); Vitest 5's does.
  if ((config as { fileParallelism?: boolean }).fileParallelism === false)
    return 1
  const maxWorkers = Number(config.maxWorkers)
  return Number.isFinite(maxWorkers) && maxWorkers >= 1 ? maxWorkers : 1
}

/** The report with its files, the workers that died during one, and the runner's fit. */
export function withFileFigures(report: MemoryReport, testModules: ReadonlyArray<TestModule>, everyTest: readonly CollectedTest[], vitest: Vitest, projectName: (name: string) => string, start: FileRunStart, options: FileFigureOptions): MemoryReport {
  const names = new Map(everyTest.map(test => [test.id, test.name]))
  const exits = new Map([...start.exits].filter(([, exit]) => exit.at >= start.startedAt))
  const cgroup = readCgroupMemory()
  const oomKills = cgroup?.oomKills !== undefined && start.oomKills !== undefined ? cgroup.oomKills - start.oomKills : null
  const { files, deaths } = collectFiles(testModules, {
    root: options.root,
    projectName,
    trails: readWorkerTrails(options.trailDirectory),
    exits,
    cgroupOomKills: oomKills,
    testName: id => names.get(id),
    fileBudgets: options.fileBudgets,
  })
  // A key that matches no file of the run, nor any file under the root (a run filtered to other
  // files leaves it out): a typo, or a file since moved.
  const unmatchedKeys = options.fileBudgets.filter(rule => !files.some(file => rule.file.test(file.file)))
  const onDisk = unmatchedKeys.length > 0 ? patternsMatchingFiles(options.root, unmatchedKeys.map(rule => ({ key: rule.pattern, file: rule.file }))) : new Set<string>()
  const unmatched = unmatchedKeys.map(rule => rule.pattern).filter(pattern => !onDisk.has(pattern))
  if (files.length === 0 && deaths.length === 0)
    return unmatched.length > 0 ? { ...report, unmatchedFileBudgets: unmatched } : report
  const runner = options.runner.memory === undefined ? runnerMemory(cgroup) : { bytes: options.runner.memory, source: 'option' as const }
  const fit = runnerFit(files, { runner, concurrency: concurrencyOf(vitest.config), main: residentNow(), failAbove: options.runner.failAbove, cores: availableParallelism() })
  return { ...report, files, ...(deaths.length > 0 && { workerDeaths: deaths }), ...(fit && { runner: fit }), ...(unmatched.length > 0 && { unmatchedFileBudgets: unmatched }) }
}
