import { cdpCollectGarbage, cdpHeapNow, cdpHeapSnapshot, type CdpSession, domCounts } from '../measure/browser/cdp.js'
import { type CdpWindow, createPageTracer } from '../measure/browser/page-tracer.js'
import type { GcPolicyOptions } from '../measure/gc-policy.js'
import { compareSnapshots, snapshotFolder } from '../matchers/leak-snapshots.js'
import { createCdpTestMeter } from './cdp-test-meter.js'

/** The browser command's name: the page side calls it through `commands` from `vitest/browser`. */
export const PROBE_COMMAND = 'memoryBudgetProbe'

/** What the Playwright provider passes a command; kept structural so the plugin needs no Playwright types. */
interface PlaywrightCommandContext {
  page: object & { context: () => { newCDPSession: (page: object) => Promise<CdpSession> } }
}

/** What the Vitest process keeps per page. */
interface PageState {
  session: CdpSession
  tracer: ReturnType<typeof createPageTracer>
  /** Matchers' windows, innermost last (a measurement may run inside a measured function). */
  windows: CdpWindow[]
  tests: ReturnType<typeof createCdpTestMeter> | undefined
  /** The first snapshot of a leak explanation, while the page calls the function between the two. */
  explaining: { snapshots: ReturnType<typeof snapshotFolder>, before: string } | undefined
}

const pages = new WeakMap<object, Promise<PageState>>()

function stateOf(context: PlaywrightCommandContext): Promise<PageState> {
  let state = pages.get(context.page)
  if (!state) {
    state = context.page.context().newCDPSession(context.page).then(async (session) => {
      await session.send('HeapProfiler.enable')
      return { session, tracer: createPageTracer(session), windows: [], tests: undefined, explaining: undefined }
    })
    pages.set(context.page, state)
  }
  return state
}

export type ProbeOperation = 'gc' | 'heap' | 'dom' | 'open' | 'close' | 'test-start' | 'test-end' | 'snapshot' | 'explain'

/** Arguments of the operations that take one. */
interface ProbeArgument {
  calls?: number
  folder?: string
  policy?: GcPolicyOptions
  firstOfFile?: boolean
  /** `test-start`: the test is held to a DOM budget, so its counts are read after full GCs. */
  domGc?: boolean
}

/**
 * The server side of the Chromium probe (`src/measure/browser/probe.ts`) and of per-test recording
 * (`src/worker/browser-meter.ts`): one CDP session per page, its windows on one trace. A leak
 * explanation is a `snapshot` (before), the page's calls, then `explain` (after, and the comparison,
 * which runs here: snapshots and memlab are Node's).
 */
export async function memoryBudgetProbe(context: unknown, operation: ProbeOperation, argument: ProbeArgument = {}): Promise<unknown> {
  const state = await stateOf(context as PlaywrightCommandContext)
  const { session } = state
  switch (operation) {
    case 'gc':
      return cdpCollectGarbage(session)
    case 'heap':
      return cdpHeapNow(session)
    case 'dom':
      return domCounts(session)
    case 'open':
      state.windows.push(await state.tracer.open(() => cdpCollectGarbage(session)))
      return undefined
    case 'close': {
      const window = state.windows.pop()
      if (!window)
        throw new Error('vitest-memory-budget: no memory window is open in this page.')
      return window.close()
    }
    case 'test-start':
      // Each file starts from a full GC, as in a fresh Node worker: the frame of the file before is
      // garbage now (its modules, its runner), which a full GC during this file's first test would
      // otherwise free, reading that test low by as much.
      if (argument.firstOfFile || !state.tests)
        state.tests = createCdpTestMeter(session, state.tracer, argument.policy!)
      // A test that timed out inside a measurement left its window open, and the trace with it.
      if (state.windows.length > 0) {
        state.windows = []
        state.tracer.reset()
      }
      return state.tests.start(argument.domGc ?? true)
    case 'test-end':
      if (!state.tests)
        throw new Error('vitest-memory-budget: no test is being measured in this page.')
      return state.tests.stop()
    case 'snapshot': {
      state.explaining?.snapshots.dispose()
      const snapshots = snapshotFolder(argument.folder)
      state.explaining = { snapshots, before: await cdpHeapSnapshot(session, snapshots.file('before')) }
      return undefined
    }
    case 'explain': {
      const started = state.explaining
      state.explaining = undefined
      if (!started)
        throw new Error('vitest-memory-budget: no heap snapshot was taken before this explanation.')
      try {
        const after = await cdpHeapSnapshot(session, started.snapshots.file('after'))
        return await compareSnapshots(started.before, after, argument.calls ?? 0, started.snapshots.kept)
      }
      finally {
        started.snapshots.dispose()
      }
    }
  }
}
