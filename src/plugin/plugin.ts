import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import type { TestProject } from 'vitest/node'
import { MemoryReporter } from '../reporter/memory-reporter.js'
import { WORKER_CONFIG_KEY, type WorkerConfig } from '../worker/config.js'
import { RESTORE_FLAGS_IMPORT } from '../worker/restore-flags.js'
import { createTrailDirectory } from '../worker/trail.js'
import { FULL_GC_THRESHOLD } from '../worker/test-recorder.js'
import '../worker/types.js'
import { type MemoryBudgetOptions, resolveOptions, workerExecArgv } from './options.js'

// The repo's own tests load this file from src/ (.ts); users load it from dist/ (.js).
const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js'
export const SETUP_FILE = fileURLToPath(new URL(`../matchers/setup${extension}`, import.meta.url))

function withAll(list: readonly string[] | undefined, additions: readonly string[]): string[] {
  const result = [...(list ?? [])]
  for (const item of additions) {
    if (!result.includes(item))
      result.push(item)
  }
  return result
}

/**
 * The Vitest plugin: runs tests in forked workers with the GC flags measurement needs, installs the
 * memory matchers, measures every test against its budget, and reports at the end of the run.
 */
export function memoryBudget(options?: MemoryBudgetOptions): Plugin {
  const settings = resolveOptions(options)
  const flags = workerExecArgv(settings)
  const execArgv = [...flags, RESTORE_FLAGS_IMPORT]
  // Made when Vitest is about to run tests, not when a config is loaded (editors and tools load it too).
  let trailDirectory: string | undefined
  let reporter: MemoryReporter | undefined
  const createReporter = (trails: string) => new MemoryReporter({
    top: settings.top,
    silent: settings.silent,
    outputFile: settings.outputFile,
    markdown: settings.markdown,
    baseline: settings.baseline,
    regression: settings.regression,
    budgetPatterns: settings.budgets.map(rule => rule.pattern),
    deterministic: settings.deterministic,
    workerFlags: flags,
    trailDirectory: trails,
  })

  const applyTo = (project: TestProject, workerConfig: WorkerConfig) => {
    // Vitest 4 gives projects without `extends: true` none of the root's plugins, and Vitest 5 drops
    // config() results from project configs; patching each resolved project covers both.
    const config = project.config
    config.pool = 'forks'
    config.execArgv = withAll(config.execArgv, execArgv)
    config.setupFiles = withAll(config.setupFiles, [SETUP_FILE])
    config.includeTaskLocation = true
    project.provide(WORKER_CONFIG_KEY, workerConfig)
  }

  return {
    name: 'vitest-memory-budget',
    config() {
      return { test: { pool: 'forks', execArgv, setupFiles: [SETUP_FILE], includeTaskLocation: true } }
    },
    configureVitest({ vitest }) {
      trailDirectory ??= createTrailDirectory()
      reporter ??= createReporter(trailDirectory)
      const workerConfig: WorkerConfig = {
        root: vitest.config.root,
        budgets: settings.budgets,
        gcBeforeEachTest: settings.gcBeforeEachTest,
        fullGcThreshold: FULL_GC_THRESHOLD,
        trailDirectory,
      }
      for (const project of vitest.projects) applyTo(project, workerConfig)
      // Vitest 5 calls this hook once per project; the reporter must be added once.
      if (!vitest.config.reporters.includes(reporter as never))
        vitest.config.reporters.push(reporter as never)
    },
  }
}
