import { test } from 'vitest'

// 100 tiny tests, timed in the page from the first to the last: per-test recording's cost, test by test.
const TESTS = 100
let started = 0

test('starts the clock', () => {
  started = performance.now()
})

for (let i = 0; i < TESTS; i++)
  test(`tiny test ${i}`, () => {
    const row = { id: i, label: `row ${i}` }
    if (row.id !== i)
      throw new Error('unreachable')
  })

test('stops the clock', ({ task }) => {
  Object.assign(task.meta, { msPerTest: (performance.now() - started) / (TESTS + 1) })
})
