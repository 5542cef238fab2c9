import { commands } from 'vitest/browser'
import { createBrowserProbe, type ProbeCommand } from '../measure/browser/probe.js'
import { measureWith, type MemoryMeasurement } from '../measure/measure.js'

/** The command the plugin registers in a Chromium project; its server side is `src/plugin/browser-commands.ts`. */
const { memoryBudgetProbe } = commands as unknown as { memoryBudgetProbe?: ProbeCommand }

function missingCommand(): never {
  throw new Error('vitest-memory-budget: memory is measured in browser mode only in Chromium through the Playwright provider, with memoryBudget() in the project\'s plugins.')
}

/** One probe per page, so the setup file's matchers and `measureMemory` share its queue. */
export const browserProbe = createBrowserProbe(memoryBudgetProbe ?? missingCommand)

/**
 * `measureMemory` in a Chromium page: exact heap peaks at GC boundaries, external memory with the
 * bound described in the README, DOM counts, retained memory after a full GC; no RSS.
 */
export function measureMemory(fn: () => unknown): Promise<MemoryMeasurement> {
  if (typeof fn !== 'function')
    throw new TypeError(`measureMemory expects a function to run, got ${fn === null ? 'null' : typeof fn}.`)
  return browserProbe.exclusive(() => measureWith(browserProbe, fn, {}))
}
