import { cdpCollectGarbage, cdpHeapNow, cdpHeapSnapshot, type CdpSession, type CdpWindow, domCounts, openCdpWindow } from '../measure/browser/cdp.js'
import { compareSnapshots, snapshotFolder } from '../matchers/leak-snapshots.js'

/** The browser command's name: the page side calls it through `commands` from `vitest/browser`. */
export const PROBE_COMMAND = 'memoryBudgetProbe'

/** What the Playwright provider passes a command; kept structural so the plugin needs no Playwright types. */
interface PlaywrightCommandContext {
  page: object & { context: () => { newCDPSession: (page: object) => Promise<CdpSession> } }
}

const sessions = new WeakMap<object, Promise<CdpSession>>()
const openWindows = new WeakMap<CdpSession, CdpWindow>()
/** The first snapshot of a leak explanation, while the page calls the function between the two. */
const explaining = new WeakMap<CdpSession, { snapshots: ReturnType<typeof snapshotFolder>, before: string }>()

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

export type ProbeOperation = 'gc' | 'heap' | 'dom' | 'open' | 'close' | 'snapshot' | 'explain'

/**
 * The server side of the Chromium probe (`src/measure/browser/probe.ts`): one CDP session per page,
 * one window open at a time. A leak explanation is a `snapshot` (before), the page's calls, then
 * `explain` (after, and the comparison, which runs here: snapshots and memlab are Node's).
 */
export async function memoryBudgetProbe(context: unknown, operation: ProbeOperation, argument?: { calls: number, folder?: string }): Promise<unknown> {
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
    case 'snapshot': {
      explaining.get(session)?.snapshots.dispose()
      const snapshots = snapshotFolder(argument?.folder)
      explaining.set(session, { snapshots, before: await cdpHeapSnapshot(session, snapshots.file('before')) })
      return undefined
    }
    case 'explain': {
      const started = explaining.get(session)
      explaining.delete(session)
      if (!started)
        throw new Error('vitest-memory-budget: no heap snapshot was taken before this explanation.')
      try {
        const after = await cdpHeapSnapshot(session, started.snapshots.file('after'))
        return await compareSnapshots(started.before, after, argument?.calls ?? 0, started.snapshots.kept)
      }
      finally {
        started.snapshots.dispose()
      }
    }
  }
}
