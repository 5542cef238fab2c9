import { expect, test } from 'vitest'
import { timeEach } from '../time-each.mjs'
import { measureMemory } from '../../dist/browser.js'

// Each call timed in the page: what a passing matcher costs a browser test.
const CALLS = 30

test('cost of one call in the page', async ({ task }) => {
  Object.assign(task.meta, {
    times: {
      'toStayUnder on a no-op, passing': await timeEach(() => expect(() => {}).toStayUnder('1MB'), CALLS),
      'measureMemory on a no-op': await timeEach(() => measureMemory(() => {}), CALLS),
    },
  })
})
