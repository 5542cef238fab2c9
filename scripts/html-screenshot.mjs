// `node scripts/html-screenshot.mjs <report.html> <out.png> [row]`: the README's picture of the HTML
// report, taken in the Chromium of the dev dependency @sparticuz/chromium, with the table's row
// `row` (default 0) selected so its memory over time is drawn.
import { pathToFileURL } from 'node:url'
import chromium from '@sparticuz/chromium'
import { chromium as playwright } from 'playwright'

const [html, out, row = '0'] = process.argv.slice(2)
if (!html || !out) {
  console.error('Usage: node scripts/html-screenshot.mjs <report.html> <out.png> [row]')
  process.exit(2)
}
// --single-process would end the browser with its first page; see test/helpers/chromium-page.ts.
const browser = await playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args.filter(arg => arg !== '--single-process'), headless: true })
try {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1100 }, colorScheme: 'light' })
  await page.goto(pathToFileURL(html).href)
  await page.click(`#tests tbody tr[data-index="${row}"]`)
  await page.mouse.wheel(0, -100_000)
  await page.screenshot({ path: out, type: out.endsWith('.png') ? 'png' : 'jpeg', clip: { x: 0, y: 0, width: 1100, height: 1100 } })
  console.log(`${out} written`)
}
finally {
  await browser.close()
}
