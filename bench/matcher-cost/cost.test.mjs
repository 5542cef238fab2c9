import { writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { timeEach } from '../time-each.mjs'
import { measureMemory } from '../../dist/index.js'

const CALLS = 50

test('cost of one call', async () => {
  const results = {
    'toStayUnder on a no-op, passing': await timeEach(() => expect(() => {}).toStayUnder('1MB'), CALLS),
    // A failure also reads what the call retained (a full GC) and its allocation sites, for the message.
    'toStayUnder on a no-op, failing': await timeEach(() => expect(() => {}).not.toStayUnder('1MB').catch(() => {}), CALLS),
    'measureMemory on a no-op': await timeEach(() => measureMemory(() => {}), CALLS),
    'one full gc()': await timeEach(() => globalThis.gc(), CALLS),
    'one young-generation gc': await timeEach(() => globalThis.gc({ type: 'minor' }), CALLS),
  }
  writeFileSync(process.env.BENCH_OUTPUT, JSON.stringify(results))
})
