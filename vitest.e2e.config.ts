import { defineConfig } from 'vitest/config'

// `npm run test:e2e`: the packed package in fresh projects (test/e2e). Not under the plugin: this suite
// measures nothing itself, it runs npm and Vitest in child processes.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    // `npm test` passes its file filters to every run: one aimed at the other suites skips this one.
    passWithNoTests: true,
    testTimeout: 120_000,
  },
})
