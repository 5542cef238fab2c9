import { nodeProbe } from '../measure/node/probe.js'
import { createToLeak } from './leak-matcher.js'

export { formatLeakFailure, formatRetainers, type LeakExplanation, type LeakOptions } from './leak-matcher.js'

// Heap snapshots and memlab are loaded only to explain a leak, so no worker pays for them up front;
// loaded before the explanation's first snapshot, their code is not counted as growth.
export const toLeak = createToLeak(nodeProbe, async (fn, calls, folder) => (await import('./explain-leak.js')).explainLeak(fn, calls, folder))
