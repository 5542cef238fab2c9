// Everyday workloads measured by the benchmark, each in a fresh process: `node bench/workloads.mjs
// <name>` prints the measurement as JSON. Imports the built package (dist/).
import { measureMemory } from '../dist/index.js'
import { WORKLOADS as EVERYDAY } from './determinism/workloads.mjs'

// The everyday set is vendored once, in bench/determinism/workloads.mjs, for the Vitest-worker bench too.
export const WORKLOADS = { ...EVERYDAY, 'no-op': () => {} }

if (import.meta.url === `file://${process.argv[1]}`) {
  const measurement = await measureMemory(WORKLOADS[process.argv[2]])
  process.stdout.write(JSON.stringify({ total: measurement.total, heap: measurement.heap, gcCount: measurement.gcCount }))
}
