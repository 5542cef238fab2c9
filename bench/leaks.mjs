// The leak table: each realistic leak and non-leak of bench/leak-scenarios.mjs measured a few times
// by measureLeak with its defaults, in this process: the catch rate, the false-alarm rate and the
// time per call behind the README's claims. `npm run bench -- --only 4b` runs it alone.
import { LEAKS, NON_LEAKS } from './leak-scenarios.mjs'
import { median, printTable } from './cost/table.mjs'

/** Warm-up and 8 batches of 100: the calls one measureLeak makes with its defaults. */
const CALLS = 900

export async function printLeakTables(runs = 3) {
  const { formatBytes, measureLeak } = await import('../dist/index.js')
  const rows = []
  const summary = []
  const times = []
  for (const [set, cases, expected] of [['leak', LEAKS, true], ['non-leak', NON_LEAKS, false]]) {
    let wrong = 0
    for (const [name, make] of Object.entries(cases)) {
      const verdicts = []
      const perCall = []
      for (let run = 0; run < runs; run++) {
        const started = performance.now()
        const m = await measureLeak(make())
        times.push(performance.now() - started)
        verdicts.push(m.leaks)
        perCall.push(m.retainedPerCall)
      }
      const flagged = verdicts.filter(Boolean).length
      wrong += expected ? runs - flagged : flagged
      rows.push([name, set, `${flagged} of ${runs}`, `${formatBytes(Math.min(...perCall))} to ${formatBytes(Math.max(...perCall))}`])
    }
    const total = Object.keys(cases).length * runs
    summary.push([`${set}s (${Object.keys(cases).length} functions x ${runs})`, expected ? `${(((total - wrong) / total) * 100).toFixed(0)}% caught` : `${((wrong / total) * 100).toFixed(0)}% flagged`])
  }
  const perMeasurement = median(times)
  summary.push(['time per measureLeak (median)', `${perMeasurement.toFixed(0)} ms (${((perMeasurement / CALLS) * 1000).toFixed(0)} µs a call of the function)`])
  printTable('4b. Leak detection, function by function (measureLeak, defaults: 100 warm-up calls, 8 batches of 100)', ['function', 'is a', 'flagged', 'retainedPerCall'], rows)
  printTable('4b. Leak detection: realistic leaks caught, non-leaks flagged', ['set', 'result'], summary)
}
