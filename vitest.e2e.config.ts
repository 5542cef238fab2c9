import { defineConfig } from 'vitest/config'

// `npm run test:e2e`: the packed package in fresh projects (test/e2e). Not under the plugin: this suite
// measures nothing itself, it runs npm and Vitest in child processes.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    testTimeout: 120_000,
  },
})
