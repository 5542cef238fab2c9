import { writeFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { timeEach } from '../time-each.mjs'
import { measureMemory } from '../../dist/index.js'
import { CLEAN, LEAKING } from '../leak-cases.mjs'

const CALLS = 50
const LEAK_CALLS = 5

test('cost of one call', async () => {
  const results = {
    'toStayUnder on a no-op, passing': await timeEach(() => expect(() => {}).toStayUnder('1MB'), CALLS),
    // A failure also reads what the call retained (a full GC) and its allocation sites, for the message.
    'toStayUnder on a no-op, failing': await timeEach(() => expect(() => {}).not.toStayUnder('1MB').catch(() => {}), CALLS),
    'measureMemory on a no-op': await timeEach(() => measureMemory(() => {}), CALLS),
    'one full gc()': await timeEach(() => globalThis.gc(), CALLS),
    'one young-generation gc': await timeEach(() => globalThis.gc({ type: 'minor' }), CALLS),
    // Each takes seconds: a few calls are enough to read them.
    'not.toLeak() on clean code, passing': await timeEach(() => expect(CLEAN['sets and deletes a map entry']).not.toLeak(), LEAK_CALLS),
    // A failure takes two heap snapshots around 100 more calls and reads the second with memlab.
    'not.toLeak() on a leak, failing (heap snapshots, memlab)': await timeEach(() => expect(LEAKING['pushes to a module-level array']).not.toLeak().catch(() => {}), LEAK_CALLS),
  }
  writeFileSync(process.env.BENCH_OUTPUT, JSON.stringify(results))
}, 600_000)
