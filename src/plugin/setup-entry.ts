import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeFileAtomic } from '../report/write-atomic.js'

/**
 * A module of src/matchers/ that a setup file runs. The repo's own tests load this file from src/,
 * beside the sources. The built package is bundled, so this code's place in dist/ is the bundler's
 * choice: the package's own `exports` name the setup file, and the other entries are built beside it.
 */
function matchersEntry(name: string): string {
  return import.meta.url.endsWith('.ts')
    ? fileURLToPath(new URL(`../matchers/${name}.ts`, import.meta.url))
    : join(dirname(createRequire(import.meta.url).resolve('vitest-memory-budget/setup')), `${name}.js`)
}

const TEST_HOOKS = matchersEntry('test-hooks')

/** The test runner of a Node project that has none of its own (see src/matchers/test-runner.ts). */
export const NODE_RUNNER = matchersEntry('test-runner')

/**
 * The setup file of a Chromium project, as it is: a page imports its setup files again for each test
 * file (with a fresh query string, even from node_modules), so it needs no entry of its own.
 */
export const BROWSER_SETUP = matchersEntry('browser-setup')

/**
 * The setup file the plugin gives a measured Node project with a runner of its own. Vitest runs a setup file again for each
 * test file only if it is not under node_modules: one there is imported natively, once per process,
 * so with `isolate: false` only a worker's first file got the hooks (in a suite of 154 files, 13 of
 * 2,002 tests were measured). This file lives outside node_modules and calls `registerTestHooks()`
 * for each file, while the package's own modules load natively, once, and keep their state.
 * Its name is its content's hash: an existing file is already right.
 */
export function setupEntry(): string {
  const source = `import { registerTestHooks } from ${JSON.stringify(TEST_HOOKS.split('\\').join('/'))}\nregisterTestHooks()\n`
  const path = join(tmpdir(), 'vitest-memory-budget', `setup-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.mjs`)
  if (!existsSync(path))
    writeFileAtomic(path, source)
  return path
}
