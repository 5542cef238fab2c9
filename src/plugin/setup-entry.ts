import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeFileAtomic } from '../report/write-atomic.js'

// The repo's own tests load this file from src/, beside the hooks' source. The built package is
// bundled, so this code's place in dist/ is the bundler's choice: the package's own `exports` name
// the setup file, and the hooks' entry is built beside it.
const TEST_HOOKS = import.meta.url.endsWith('.ts')
  ? fileURLToPath(new URL('../matchers/test-hooks.ts', import.meta.url))
  : join(dirname(createRequire(import.meta.url).resolve('vitest-memory-budget/setup')), 'test-hooks.js')

/**
 * The setup file the plugin gives every measured project. Vitest runs a setup file again for each
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
