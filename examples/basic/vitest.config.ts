import { defineConfig } from 'vitest/config'
import { memoryBudget } from 'vitest-memory-budget'

export default defineConfig({
  // The HTML report: open examples/basic/reports/memory.html in a browser after `npm run demo`.
  plugins: [memoryBudget({ html: 'reports/memory.html' })],
})
