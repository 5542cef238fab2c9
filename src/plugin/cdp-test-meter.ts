import { cdpCollectGarbage, type CdpSession, cdpHeapNow } from '../measure/browser/cdp.js'
import type { CdpWindow, PageTracer } from '../measure/browser/page-tracer.js'
import { createGcPolicy, type GcPolicyOptions } from '../measure/gc-policy.js'
import type { CdpTestMeasurement } from '../worker/browser-meter.js'
import type { BoundaryGc } from '../worker/test-recorder.js'

const used = (point: { heap: number, external: number }) => point.heap + point.external

/**
 * Per-test recording of a Chromium page, in the Vitest process (the page's half is
 * `src/worker/browser-meter.ts`): the GC policy of a Node worker
 * (src/measure/gc-policy.ts), with a young-generation GC from the page's `gc()` (the plugin
 * launches Chromium with `--expose-gc`; a GC over CDP is always a full one) and the test's window
 * on the page's one trace.
 */
export function createCdpTestMeter(session: CdpSession, tracer: PageTracer, options: GcPolicyOptions) {
  const policy = createGcPolicy(options)
  let hasYoungGc: Promise<boolean> | undefined
  let running: { window: CdpWindow, baselineGc: BoundaryGc } | undefined

  /**
   * A young-generation GC where the page has one; then a full one if the policy says so. The young
   * one (a script in the page) is sent with the reading after it: run in order, one round trip.
   */
  async function collect(): Promise<{ gc: BoundaryGc, used: number }> {
    // Where a full GC is due anyway (the page's first collection, or policy `always`), a young one
    // before it would only cost a round trip.
    if (!policy.fullDueRegardless()) {
      hasYoungGc ??= session.send('Runtime.evaluate', { expression: `typeof gc === 'function'`, returnByValue: true })
        .then(reply => (reply as { result: { value: unknown } }).result.value === true)
      const young = await hasYoungGc
      const [, afterYoung] = await Promise.all([young && session.send('Runtime.evaluate', { expression: `gc({ type: 'minor' })` }), cdpHeapNow(session)])
      if (!policy.fullDue(used(afterYoung))) {
        if (young)
          policy.collectedYoung(used(afterYoung))
        return { gc: young ? 'young' : 'none', used: used(afterYoung) }
      }
    }
    // Not sent together: a reading sent with HeapProfiler.collectGarbage was answered before the
    // collection (measured: a test that kept 20 MB read as garbage, so the next full GC was skipped);
    // one sent after its reply reads the collected heap.
    await cdpCollectGarbage(session)
    const afterFull = await cdpHeapNow(session)
    policy.collectedFull(used(afterFull))
    return { gc: 'full', used: used(afterFull) }
  }

  return {
    async start(): Promise<void> {
      // A test whose end was never measured (its afterEach hooks stopped early) left its window open.
      if (running)
        tracer.reset()
      // Little allocated since the previous test's end collected: that collection serves this test too.
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
      const closed = await test.window.close()
      const ended = used(closed.end)
      const after = policy.littleSinceCollected(ended) ? { gc: 'none' as const, used: ended } : await collect()
      return { closed, retained: Math.max(0, after.used - used(closed.baseline)), baselineGc: test.baselineGc, retainedGc: after.gc }
    },
  }
}
