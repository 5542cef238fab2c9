import { cdpCollectGarbage, cdpHeapNow, type CdpSession, type CdpWindow, domCounts, openCdpWindow } from '../measure/browser/cdp.js'

/** The browser command's name: the page side calls it through `commands` from `vitest/browser`. */
export const PROBE_COMMAND = 'memoryBudgetProbe'

/** What the Playwright provider passes a command; kept structural so the plugin needs no Playwright types. */
interface PlaywrightCommandContext {
  page: object & { context: () => { newCDPSession: (page: object) => Promise<CdpSession> } }
}

const sessions = new WeakMap<object, Promise<CdpSession>>()
const openWindows = new WeakMap<CdpSession, CdpWindow>()

function sessionOf(context: PlaywrightCommandContext): Promise<CdpSession> {
  let session = sessions.get(context.page)
  if (!session) {
    session = context.page.context().newCDPSession(context.page).then(async (cdp) => {
      await cdp.send('HeapProfiler.enable')
      return cdp
    })
    sessions.set(context.page, session)
  }
  return session
}

/** The server side of the Chromium probe (`src/measure/browser/probe.ts`): one CDP session per page, one window open at a time. */
export async function memoryBudgetProbe(context: unknown, operation: 'gc' | 'heap' | 'dom' | 'open' | 'close'): Promise<unknown> {
  const session = await sessionOf(context as PlaywrightCommandContext)
  switch (operation) {
    case 'gc':
      return cdpCollectGarbage(session)
    case 'heap':
      return cdpHeapNow(session)
    case 'dom':
      return domCounts(session)
    case 'open':
      // A test that timed out inside a measurement left its trace running, which would make this one fail to start.
      await openWindows.get(session)?.close().catch(() => {})
      openWindows.set(session, await openCdpWindow(session))
      return undefined
    case 'close': {
      const window = openWindows.get(session)
      openWindows.delete(session)
      if (!window)
        throw new Error('vitest-memory-budget: no memory window is open in this page.')
      return window.close()
    }
  }
}
