// The measuring core, no Vitest: a runtime-free model (probe.ts, measure.ts, gc-trace.ts) over one probe
// per runtime (node/, browser/). These are the Node exports; src/browser.ts serves a page's.
export type { AllocationSite } from './allocation-sites.js'
export { getGc } from './gc.js'
export type { HeapKind } from './heap-snapshot.js'
export { type LeakMeasurement, measureLeak, type MeasureLeakOptions } from './leaks.js'
export type { TimelinePoint } from './gc-trace.js'
export { type AllocationMeasurement, measureAllocations, type MeasureAllocationsOptions } from './allocations.js'
export { type MeasureMemoryOptions, type MemoryMeasurement, type MemoryMetrics, measureMemory } from './measure-memory.js'
export { type RssMethod, type RssMethodOption, stopRssSampler } from './rss.js'
export { ACCEPTED_SIZES, formatBytes, type ParsedSize, parseSize, type SizeInput, type UnitFamily } from './size.js'
