import chromium from '@sparticuz/chromium'
import { playwright } from '@vitest/browser-playwright'
import { memoryBudget } from '../../dist/index.js'

// Chromium from @sparticuz/chromium, as in this repo's tests. BENCH_PLUGIN_OFF runs the same tests
// without the plugin, for the cost of per-test recording.
const executablePath = await chromium.executablePath()

export default {
  plugins: process.env.BENCH_PLUGIN_OFF ? [] : [memoryBudget({ silent: true, baseline: false })],
  test: {
    testTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      provider: playwright({ launchOptions: { executablePath, args: chromium.args } }),
      instances: [{ browser: 'chromium' }],
    },
  },
}
