import type { TestMeter } from '../../worker/test-recorder.js'
import type { GcPolicyOptions } from '../gc-policy.js'
import type { ProbeCommand } from './probe.js'

/**
 * Per-test recording in a Chromium page: one round trip to the Vitest process as a test starts
 * (collections as the policy says, the test's window opened on the page's GC trace, the baseline)
 * and one as it ends (the end read first, the trace's GCs, `retained`). The page keeps only the
 * test's duration. A meter serves one test file (the page imports its setup files for each).
 */
export function createBrowserTestMeter(command: ProbeCommand, policy: GcPolicyOptions): TestMeter<number> {
  let firstOfFile = true
  return {
    async start() {
      await command('test-start', { policy, firstOfFile })
      firstOfFile = false
      return performance.now()
    },
    async stop(started) {
      const duration = performance.now() - started
      const measured = await command('test-end')
      return { ...measured, closed: { ...measured.closed, timeline: [], rss: Number.NaN, rssMethod: 'none', duration } }
    },
    async discard() {
      await command('test-end')
    },
  }
}
