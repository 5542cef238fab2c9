import { commands } from 'vitest/browser'
import { type AllocationMeasurement, measureAllocationsWith, type MeasureAllocationsOptions, type TestClock, type TimeCalls } from '../measure/allocation-rounds.js'
import { createBrowserProbe, type ProbeCommand } from '../measure/browser/probe.js'
import { measureWith, type MemoryMeasurement } from '../measure/measure.js'
import { callRepeatedly, freshRepeater } from '../measure/repeat.js'
import type { TestCommand } from '../worker/browser-meter.js'
import type { ExplainLeak, LeakExplanation } from './leak-matcher.js'

/** The command as the page calls it: the probe's steps, a test's recording, and the two halves of a leak explanation. */
type PageCommand = ProbeCommand & TestCommand & {
  (operation: 'snapshot', argument: { folder?: string }): Promise<void>
  (operation: 'explain', argument: { calls: number }): Promise<LeakExplanation>
}

/** The command the plugin registers in a Chromium project; its server side is `src/plugin/browser-commands.ts`. */
const { memoryBudgetProbe } = commands as unknown as { memoryBudgetProbe?: PageCommand }

function missingCommand(): never {
  throw new Error('vitest-memory-budget: memory is measured in browser mode only in Chromium through the Playwright provider, with memoryBudget() in the project\'s plugins.')
}

const command: PageCommand = memoryBudgetProbe ?? missingCommand

/** The command, for per-test recording in the page. */
export const testCommand: TestCommand = command

/** One probe per page, so the setup file's matchers and `measureMemory` share its queue. */
export const browserProbe = createBrowserProbe(command)

/**
 * A leak explained as in Node, with the snapshots taken and compared in the Vitest process (a
 * `snapshots` folder is a path there): the page only calls the function between them.
 */
export const explainLeakInPage: ExplainLeak = async (fn, calls, folder) => {
  await command('snapshot', { folder })
  await callRepeatedly(fn, calls)
  return command('explain', { calls })
}

/**
 * `measureMemory` in a Chromium page: exact heap peaks at GC boundaries, external memory with the
 * bound described in the README, DOM counts, retained memory after a full GC; no RSS.
 */
export function measureMemory(fn: () => unknown): Promise<MemoryMeasurement<'none'>> {
  if (typeof fn !== 'function')
    throw new TypeError(`measureMemory expects a function to run, got ${fn === null ? 'null' : typeof fn}.`)
  // A page has no RSS to read: its probe's method is always 'none'.
  return browserProbe.exclusive(() => measureWith(browserProbe, fn, {})) as Promise<MemoryMeasurement<'none'>>
}

/** A page has no tinybench: one more loop of the calls, timed by `performance.now()` (Chromium coarsens it to 0.1 ms, a small share of 10,000 calls). */
const timeInPage: TimeCalls = async (fn, calls) => {
  const repeat = freshRepeater()
  const started = performance.now()
  await repeat(fn, calls)
  const elapsed = performance.now() - started
  return { timePerCall: elapsed / calls, callsPerSecond: elapsed > 0 ? (calls * 1000) / elapsed : Number.NaN, timedWith: 'performance.now() over one loop' }
}

/**
 * `measureAllocations` in a Chromium page: bytes per call from the page's GC trace over five rounds
 * of calls (the fewest-allocating counts). The heap is exact; external memory allocated and freed
 * between two GCs is missed (see the README), so a round with GCs reads external bytes low.
 */
export function measureAllocations(fn: () => unknown, options?: MeasureAllocationsOptions): Promise<AllocationMeasurement> {
  return measureAllocationsWith(browserProbe, timeInPage, fn, options)
}

/** `measureAllocations` for the matcher, which knows the running test's timeout and stops short of it. */
export function measureAllocationsInTest(fn: () => unknown, options: MeasureAllocationsOptions | undefined, clock: TestClock | undefined): Promise<AllocationMeasurement> {
  return measureAllocationsWith(browserProbe, timeInPage, fn, options, clock)
}
