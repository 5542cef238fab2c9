import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vitest/config'
import type { TestProject } from 'vitest/node'
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
 * The Vitest plugin: runs tests in forked workers with the GC flags measurement needs, and installs
 * the memory matchers in every project of the config.
 */
export function memoryBudget(options?: MemoryBudgetOptions): Plugin {
  const execArgv = workerExecArgv(resolveOptions(options))

  const applyTo = (project: TestProject) => {
    // Vitest 4 gives projects without `extends: true` none of the root's plugins, and Vitest 5 drops
    // config() results from project configs; patching each resolved project covers both.
    const config = project.config
    config.pool = 'forks'
    config.execArgv = withAll(config.execArgv, execArgv)
    config.setupFiles = withAll(config.setupFiles, [SETUP_FILE])
    config.includeTaskLocation = true
  }

  return {
    name: 'vitest-memory-budget',
    config() {
      return { test: { pool: 'forks', execArgv, setupFiles: [SETUP_FILE], includeTaskLocation: true } }
    },
    configureVitest({ vitest }) {
      for (const project of vitest.projects) applyTo(project)
    },
  }
}
