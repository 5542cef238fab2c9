// The measuring core: plain Node, no Vitest. Everything above it (matchers, reporter) builds on this.
export { type AllocationSite } from './allocation-sites.js'
export { getGc } from './gc.js'
export { type TimelinePoint } from './gc-trace.js'
export { type AllocationMeasurement, measureAllocations, type MeasureAllocationsOptions } from './allocations.js'
export { type MeasureMemoryOptions, type MemoryMeasurement, type MemoryMetrics, measureMemory } from './measure-memory.js'
export { type RssMethod, type RssMethodOption, stopRssSampler } from './rss.js'
export { ACCEPTED_SIZES, formatBytes, type ParsedSize, parseSize, type SizeInput, type UnitFamily } from './size.js'
