import chromium from '@sparticuz/chromium'
import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { memoryBudget } from 'vitest-memory-budget'

// Your project: `npx playwright install chromium`, then `provider: playwright()`. This repository
// runs the Chromium that @sparticuz/chromium ships inside its npm package instead (no download).
const executablePath = await chromium.executablePath()

export default defineConfig({
  plugins: [memoryBudget({
    // Every test in the page is recorded as in Node; these hold the rendering tests to a size and
    // to the DOM nodes they may leave attached.
    budgets: {
      'todo-list.test.ts > renders *': { total: '5MB', domNodes: 100 },
    },
  })],
  test: {
    browser: {
      enabled: true,
      headless: true,
      // Its flags are for AWS Lambda; `--single-process` (the page's renderer inside the browser
      // process) made runs on a loaded machine hang for good.
      provider: playwright({ launchOptions: { executablePath, args: chromium.args.filter(arg => arg !== '--single-process') } }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
