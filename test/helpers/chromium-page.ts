import chromium from '@sparticuz/chromium'
import { type Browser, type Page, chromium as playwright } from 'playwright'

/**
 * The package's flags are for one page in a Lambda: `--single-process` ends the browser with the
 * first page closed, and `--disable-web-security` would hide a report that reaches for the network.
 */
const UNWANTED = new Set(['--single-process', '--disable-web-security'])

/** Chromium from @sparticuz/chromium, as the browser-mode fixtures launch it: no browser download. */
export async function launchChromium(): Promise<Browser> {
  return playwright.launch({ executablePath: await chromium.executablePath(), args: chromium.args.filter(arg => !UNWANTED.has(arg)), headless: true })
}

export interface Watched {
  page: Page
  /** Console messages of type error or warning, uncaught errors, and dialogs (alert, confirm, prompt). */
  problems: string[]
  /** Every request the page made other than the file itself. */
  requests: string[]
}

/** A new page that records what a self-contained report must never do. */
export async function watchedPage(browser: Browser, fileUrl: string): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
  const watched: Watched = { page, problems: [], requests: [] }
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      watched.problems.push(`console.${message.type()}: ${message.text()}`)
  })
  page.on('pageerror', error => watched.problems.push(`page error: ${error.message}`))
  page.on('dialog', (dialog) => {
    watched.problems.push(`dialog: ${dialog.message()}`)
    void dialog.dismiss()
  })
  page.on('request', (request) => {
    if (request.url() !== fileUrl)
      watched.requests.push(request.url())
  })
  return watched
}
