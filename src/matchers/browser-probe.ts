import { commands } from 'vitest/browser'
import { createBrowserProbe, type ProbeCommand } from '../measure/browser/probe.js'
import { measureWith, type MemoryMeasurement } from '../measure/measure.js'
import { callRepeatedly } from '../measure/repeat.js'
import type { ExplainLeak, LeakExplanation } from './leak-matcher.js'

/** The command as the page calls it: the probe's steps, and the two halves of a leak explanation. */
type PageCommand = ProbeCommand & {
  (operation: 'snapshot', argument: { folder?: string }): Promise<void>
  (operation: 'explain', argument: { calls: number }): Promise<LeakExplanation>
}

/** The command the plugin registers in a Chromium project; its server side is `src/plugin/browser-commands.ts`. */
const { memoryBudgetProbe } = commands as unknown as { memoryBudgetProbe?: PageCommand }

function missingCommand(): never {
  throw new Error('vitest-memory-budget: memory is measured in browser mode only in Chromium through the Playwright provider, with memoryBudget() in the project\'s plugins.')
}

const command: PageCommand = memoryBudgetProbe ?? missingCommand

/** The probe's command, for per-test recording in the page. */
export const probeCommand: ProbeCommand = command

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
export function measureMemory(fn: () => unknown): Promise<MemoryMeasurement> {
  if (typeof fn !== 'function')
    throw new TypeError(`measureMemory expects a function to run, got ${fn === null ? 'null' : typeof fn}.`)
  return browserProbe.exclusive(() => measureWith(browserProbe, fn, {}))
}
