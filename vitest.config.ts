import { spawnSync } from 'node:child_process'
import { configDefaults, defineConfig } from 'vitest/config'
import { memoryBudget } from './src/index.js'

// The C heap's interposer, which the plugin run from src/ preloads from native/build/ (fixture runs
// too): built here, before the plugin looks for it, when the source is newer.
if (process.platform === 'linux' && process.arch === 'x64' && spawnSync(process.execPath, ['scripts/build-native.mjs'], { cwd: import.meta.dirname, stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0)
  throw new Error('vitest.config.ts: scripts/build-native.mjs failed (see above)')

export default defineConfig({
  // No baseline: this suite runs on Node 20 and Node 24, whose heaps differ; it checks numbers itself.
  plugins: [memoryBudget({ baseline: false })],
  test: {
    include: ['test/**/*.test.ts'],
    // Fixture projects are run by the integration tests, each with its own config; test/e2e runs the
    // packed package under vitest.e2e.config.ts.
    exclude: [...configDefaults.exclude, 'test/fixtures/**', 'test/e2e/**'],
    // Integration tests start whole Vitest runs and child processes.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], exclude: ['test/fixtures/**'] },
  },
})
