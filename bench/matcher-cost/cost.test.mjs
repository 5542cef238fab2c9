import { writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { measureMemory } from '../../dist/index.js'

const CALLS = 50

async function timeEach(fn) {
  const times = []
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now()
    await fn()
    times.push(performance.now() - started)
  }
  return times
}

test('cost of one call', async () => {
  const results = {
    'toStayUnder on a no-op, passing': await timeEach(() => expect(() => {}).toStayUnder('1MB')),
    // A failure also reads what the call retained (a full GC) and its allocation sites, for the message.
    'toStayUnder on a no-op, failing': await timeEach(() => expect(() => {}).not.toStayUnder('1MB').catch(() => {})),
    'measureMemory on a no-op': await timeEach(() => measureMemory(() => {})),
    'one full gc()': await timeEach(() => globalThis.gc()),
    'one young-generation gc': await timeEach(() => globalThis.gc({ type: 'minor' })),
  }
  writeFileSync(process.env.BENCH_OUTPUT, JSON.stringify(results))
})
