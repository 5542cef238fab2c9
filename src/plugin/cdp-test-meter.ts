import { cdpCollectGarbage, type CdpSession, cdpHeapNow, domCounts, domDifference } from '../measure/browser/cdp.js'
import type { CdpWindow, PageTracer } from '../measure/browser/page-tracer.js'
import { createGcPolicy, type GcPolicyOptions } from '../measure/gc-policy.js'
import type { DomCounts } from '../measure/probe.js'
import type { CdpTestMeasurement } from '../worker/browser-meter.js'
import type { BoundaryGc } from '../worker/test-recorder.js'

const used = (point: { heap: number, external: number }) => point.heap + point.external

const domMoved = (difference: DomCounts) => difference.nodes !== 0 || difference.documents !== 0 || difference.listeners !== 0

/** What a test kept of the DOM: a test that released what earlier ones kept reads 0, not less. */
const kept = (difference: DomCounts): DomCounts => ({
  nodes: Math.max(0, difference.nodes),
  documents: Math.max(0, difference.documents),
  listeners: Math.max(0, difference.listeners),
})

/**
 * Per-test recording of a Chromium page, in the Vitest process (the page's half is
 * `src/worker/browser-meter.ts`): the GC policy of a Node worker
 * (src/measure/gc-policy.ts), with a young-generation GC from the page's `gc()` (the plugin
 * launches Chromium with `--expose-gc`; a GC over CDP is always a full one) and the test's window
 * on the page's one trace.
 *
 * A test held to a DOM budget gets what it kept: Chromium counts a node, document or listener until
 * a full GC frees it (a young one does not), so without one a list built and removed read as 2,001
 * nodes added, and a later full GC made another test read minus as many. Both of its ends are read
 * after a full GC, paid for only where the counts moved since the last one. Other tests get the
 * counts as they moved, floored at 0 (`domGc: 'none'`): Vitest's runner moves the listener count in
 * every test, so reading every test after full GCs cost each one a full GC of the page (100 no-op
 * tests took 109 to 153 ms each instead of 42 to 57 at a load of 16).
 */
export function createCdpTestMeter(session: CdpSession, tracer: PageTracer, options: GcPolicyOptions) {
  const policy = createGcPolicy(options)
  let hasYoungGc: Promise<boolean> | undefined
  let running: { window: CdpWindow, baselineGc: BoundaryGc, domGc: boolean } | undefined
  /** The DOM counts right after the last full GC: the same counts later mean nothing is left for one to free. */
  let collectedDom: DomCounts | undefined

  async function collectFull(): Promise<{ gc: 'full', used: number, dom: DomCounts }> {
    // Not sent together: a reading sent with HeapProfiler.collectGarbage was answered before the
    // collection (measured: a test that kept 20 MB read as garbage, so the next full GC was skipped);
    // one sent after its reply reads the collected heap.
    await cdpCollectGarbage(session)
    const [afterFull, dom] = await Promise.all([cdpHeapNow(session), domCounts(session)])
    policy.collectedFull(used(afterFull))
    collectedDom = dom
    return { gc: 'full', used: used(afterFull), dom }
  }

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
    return collectFull()
  }

  return {
    /** `domGc`: the test is held to a DOM budget, so both ends of it read the DOM after a full GC. */
    async start(domGc: boolean): Promise<void> {
      // A test whose end was never measured (its afterEach hooks stopped early) left its window open.
      if (running)
        tracer.reset()
      // Little allocated since the previous test's end collected: that collection serves this test too.
      let baselineGc: BoundaryGc = 'young'
      const window = await tracer.open(async () => {
        const [heap, dom] = await Promise.all([cdpHeapNow(session), domGc ? domCounts(session) : undefined])
        if (dom && (collectedDom === undefined || domMoved(domDifference(dom, collectedDom))))
          baselineGc = (await collectFull()).gc
        else if (!policy.littleSinceCollected(used(heap)))
          baselineGc = (await collect()).gc
      })
      running = { window, baselineGc, domGc }
    },
    async stop(): Promise<CdpTestMeasurement> {
      const test = running
      running = undefined
      if (!test)
        throw new Error('vitest-memory-budget: no test is being measured in this page.')
      const closed = await test.window.close()
      const ended = used(closed.end)
      // A test held to a DOM budget started from counts a full GC left: where they did not move, it
      // kept nothing of the DOM.
      const full = test.domGc && domMoved(closed.dom!) ? await collectFull() : undefined
      const after = full ?? (policy.littleSinceCollected(ended) ? { gc: 'none' as const, used: ended } : await collect())
      return {
        closed: { ...closed, dom: full ? kept(domDifference(full.dom, test.window.domStart)) : kept(closed.dom!) },
        retained: Math.max(0, after.used - used(closed.baseline)),
        baselineGc: test.baselineGc,
        retainedGc: after.gc,
        domGc: test.domGc ? 'full' : 'none',
      }
    },
  }
}
