import { configDefaults, defineConfig } from 'vitest/config'
import { failedLoadsAsTests } from './failed-loads.js'

// The suite Stryker runs against each mutant: the pure tests of test/unit, without the plugin (a
// mutant of the plugin measuring its own suite would fail that run for the wrong reason) and without
// the type tests (tsc on every mutant would cost more than the tests).
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/unit/**/*.test.ts'],
    // Stryker reads the results itself; only the files that failed to load need a word.
    reporters: [failedLoadsAsTests()],
    exclude: [...configDefaults.exclude, 'test/fixtures/**', 'test/e2e/**'],
    // Stryker's coverage instrumentation slows the fuzzed tests (report files cut at every offset)
    // several times over; a mutant that loops is still stopped by Stryker's own timeout.
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
})
