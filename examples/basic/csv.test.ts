import { describe, expect, test } from 'vitest'
import { formatBytes, measureMemory } from 'vitest-memory-budget'
import { makeCsv, totalByParsingEverything, totalByScanning } from './csv.js'

const csv = makeCsv(300_000) // about 12 MB of text

describe('totalling a 300k-row CSV', () => {
  test('both ways agree', () => {
    expect(totalByScanning(csv)).toBe(totalByParsingEverything(csv))
  })

  // The peak includes garbage not yet collected: a function that allocates many short-lived strings
  // peaks at about the size of V8's young generation (16 to 32 MB) even if it keeps nothing.
  test('scanning stays under 40 MB of peak memory', async () => {
    await expect(() => totalByScanning(csv)).toStayUnder('40MB')
  })

  test('parsing everything does not: it holds every row as an object at once', async () => {
    await expect(() => totalByParsingEverything(csv)).not.toStayUnder('40MB')
  })

  test('the figures behind it', async () => {
    for (const fn of [totalByScanning, totalByParsingEverything]) {
      const m = await measureMemory(() => fn(csv))
      console.log(`${fn.name.padEnd(26)} peak ${formatBytes(m.total).padStart(9)}  allocated ${formatBytes(m.allocated).padStart(9)}  retained ${formatBytes(m.retained).padStart(8)}  ${m.gcCount} GC${m.gcCount === 1 ? '' : 's'}`)
    }
  })

  test('what a failure looks like', async () => {
    const failure = await expect(() => totalByParsingEverything(csv)).toStayUnder('40MB').catch((error: Error) => error)
    console.log(String(failure instanceof Error ? failure.message : failure))
  })
})
