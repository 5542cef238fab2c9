// Workloads measured by the benchmark, each in a fresh process: `node bench/workloads.mjs <name>`
// prints the measurement as JSON. Imports the built package (dist/).
import { measureMemory } from '../dist/index.js'

const MiB = 2 ** 20

export const WORKLOADS = {
  'drop 64 MiB x20': () => {
    for (let i = 0; i < 20; i++) new Uint8Array(64 * MiB)
  },
  'JSON round trip, 100k objects': () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `row ${i}`, tags: ['a', 'b'] }))
    return JSON.parse(JSON.stringify(rows)).length
  },
  'build 1M small objects': () => {
    const objects = []
    for (let i = 0; i < 1_000_000; i++) objects.push({ i })
    return objects.length
  },
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const measurement = await measureMemory(WORKLOADS[process.argv[2]])
  process.stdout.write(JSON.stringify({ total: measurement.total, gcCount: measurement.gcCount }))
}
