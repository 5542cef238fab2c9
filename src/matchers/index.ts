import { measureAllocationsInTest } from '../measure/allocations.js'
import { createToAllocateUnder } from './to-allocate-under.js'
import { toLeak } from './to-leak.js'
import { nodeProbe } from '../measure/node/probe.js'
import { keepHeapProfile } from '../worker/heap-profiles.js'
import { createToStayUnder } from './to-stay-under.js'

// Matchers: the measuring core held to a budget, in Vitest's expect() shape but importing nothing from
// Vitest, so `expect.extend(memoryMatchers)` works wherever the setup file cannot be used.
export { BUDGET_METRICS, type BudgetMetric, formatBudgetFailure } from './failure-message.js'
export type { StayUnderOptions } from './to-stay-under.js'

// A failing call's heap profile is kept where the plugin's `profiles` option says, for the running test.
export const toStayUnder = createToStayUnder(nodeProbe, (profile, context) => (context.task ? keepHeapProfile(profile, context.task, 'toStayUnder') : undefined))

export { type AllocateUnderOptions, formatAllocationFailure } from './to-allocate-under.js'

export const toAllocateUnder = createToAllocateUnder(measureAllocationsInTest)

export { formatLeakFailure, type LeakOptions, toLeak } from './to-leak.js'

export const memoryMatchers = { toStayUnder, toAllocateUnder, toLeak }
