import { configDefaults, defineConfig } from 'vitest/config'
import { memoryBudget } from './src/index.js'

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
