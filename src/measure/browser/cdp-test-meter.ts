import { createGcPolicy, type GcPolicyOptions } from '../gc-policy.js'
import type { BoundaryGc, TestMeasurement } from '../../worker/test-recorder.js'
import { cdpCollectGarbage, type CdpClosedWindow, type CdpSession, cdpHeapNow } from './cdp.js'
import type { CdpWindow, PageTracer } from './page-tracer.js'

/** A test's measurement as the Vitest process sends it to the page, which adds the test's duration and the RSS it cannot see. */
export type CdpTestMeasurement = Omit<TestMeasurement, 'closed'> & { closed: Omit<CdpClosedWindow, 'timeline'> }

const used = (point: { heap: number, external: number }) => point.heap + point.external

/**
 * Per-test recording of a Chromium page, in the Vitest process: the GC policy of a Node worker
 * (src/measure/gc-policy.ts), with a young-generation GC from the page's `gc()` (the plugin
 * launches Chromium with `--expose-gc`; a GC over CDP is always a full one) and the test's window
 * on the page's one trace.
 */
export function createCdpTestMeter(session: CdpSession, tracer: PageTracer, options: GcPolicyOptions) {
  const policy = createGcPolicy(options)
  let hasYoungGc: Promise<boolean> | undefined
  let running: { window: CdpWindow, baselineGc: BoundaryGc } | undefined

  async function youngGc(): Promise<boolean> {
    hasYoungGc ??= session.send('Runtime.evaluate', { expression: `typeof gc === 'function'`, returnByValue: true })
      .then(reply => (reply as { result: { value: unknown } }).result.value === true)
    if (!await hasYoungGc)
      return false
    await session.send('Runtime.evaluate', { expression: `gc({ type: 'minor' })` })
    return true
  }

  /** A young-generation GC where the page has one; then a full one if the policy says so. */
  async function collect(): Promise<{ gc: BoundaryGc, used: number }> {
    const young = await youngGc()
    const afterYoung = used(await cdpHeapNow(session))
    if (!policy.fullDue(afterYoung)) {
      if (young)
        policy.collectedYoung(afterYoung)
      return { gc: young ? 'young' : 'none', used: afterYoung }
    }
    await cdpCollectGarbage(session)
    const afterFull = used(await cdpHeapNow(session))
    policy.collectedFull(afterFull)
    return { gc: 'full', used: afterFull }
  }

  return {
    async start(): Promise<void> {
      // A test whose end was never measured (its afterEach hooks stopped early) left its window open.
      if (running)
        await tracer.reset()
      let baselineGc: BoundaryGc = 'young'
      const window = await tracer.open(async () => {
        if (!policy.littleSinceCollected(used(await cdpHeapNow(session))))
          baselineGc = (await collect()).gc
      })
      running = { window, baselineGc }
    },
    async stop(): Promise<CdpTestMeasurement> {
      const test = running
      running = undefined
      if (!test)
        throw new Error('vitest-memory-budget: no test is being measured in this page.')
      const { timeline: _, ...closed } = await test.window.close()
      const ended = used(closed.end)
      const after = policy.littleSinceCollected(ended) ? { gc: 'none' as const, used: ended } : await collect()
      return { closed, retained: Math.max(0, after.used - used(closed.baseline)), baselineGc: test.baselineGc, retainedGc: after.gc }
    },
  }
}
