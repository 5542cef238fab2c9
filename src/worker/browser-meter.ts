import type { CdpClosedWindow } from '../measure/browser/cdp.js'
import type { GcPolicyOptions } from '../measure/gc-policy.js'
import type { TestMeasurement, TestMeter } from './test-recorder.js'

/** A test's measurement as the Vitest process sends it to the page, which adds the test's duration and the RSS it cannot see. */
export type CdpTestMeasurement = Omit<TestMeasurement, 'closed'> & { closed: CdpClosedWindow }

/** What the page asks of the Vitest process to record a test: the probe's browser command (`src/plugin/browser-commands.ts`). */
export type TestCommand = {
  (operation: 'test-start', argument: { policy: GcPolicyOptions, firstOfFile: boolean, domGc: boolean }): Promise<void>
  (operation: 'test-end'): Promise<CdpTestMeasurement>
}

/**
 * Per-test recording in a Chromium page: one round trip to the Vitest process as a test starts
 * (collections as the policy says, the test's window opened on the page's GC trace, the baseline)
 * and one as it ends (the end read first, the trace's GCs, `retained`). The page keeps only the
 * test's duration. A meter serves one test file (the page imports its setup files for each).
 */
export function createBrowserTestMeter(command: TestCommand, policy: GcPolicyOptions): TestMeter<number> {
  let firstOfFile = true
  return {
    async start(_exactRetained, exactDom) {
      await command('test-start', { policy, firstOfFile, domGc: exactDom })
      firstOfFile = false
      return performance.now()
    },
    async stop(started) {
      const duration = performance.now() - started
      const measured = await command('test-end')
      return { ...measured, closed: { ...measured.closed, rss: Number.NaN, rssMethod: 'none', native: Number.NaN, nativeMethod: 'none', duration } }
    },
    async discard() {
      await command('test-end')
    },
  }
}
