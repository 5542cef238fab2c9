// The setup file the plugin registers: installs the memory matchers, catches un-awaited calls, and,
// under the plugin, measures every test and holds it to its configured budget.
// Without the plugin, add 'vitest-memory-budget/setup' to `setupFiles` for the matchers alone.
import { afterEach, beforeEach, chai, expect, inject } from 'vitest'
import './types.js'
import type { MemoryTaskMeta } from '../worker/types.js'
import { WORKER_CONFIG_KEY } from '../worker/config.js'
import { createTestRecorder } from '../worker/test-recorder.js'
import { openTrail } from '../worker/trail.js'
import { formatTestBudgetFailure } from './failure-message.js'
import { memoryMatchers } from './index.js'
import { settleUnawaited, trackCall } from './unawaited.js'

expect.extend(memoryMatchers)

chai.use((api, utils) => {
  for (const name of Object.keys(memoryMatchers)) {
    utils.overwriteMethod(api.Assertion.prototype, name, (original: (...args: unknown[]) => unknown) =>
      function (this: object, ...args: unknown[]) {
        const result = original.apply(this, args)
        if (!(result instanceof Promise))
          return result
        const assertion = `expect(fn)${utils.flag(this, 'negate') ? '.not' : ''}.${name}(${args.map(a => JSON.stringify(a)).join(', ')})`
        return trackCall(result, utils.flag(this, 'vitest-test'), assertion)
      })
  }
})

const workerConfig = inject(WORKER_CONFIG_KEY)
const recorder = workerConfig ? createTestRecorder(workerConfig) : undefined
const trail = workerConfig ? openTrail(workerConfig.trailDirectory) : undefined

if (recorder && trail) {
  beforeEach(({ task }) => {
    trail.start(task.id)
    recorder.start(task)
  })
}

// Registered first, so it runs after the test's own afterEach hooks: their memory counts as the test's.
afterEach(async ({ task }) => {
  const errors: string[] = []
  const unawaited = await settleUnawaited(task)
  if (unawaited)
    errors.push(unawaited.message)
  const record = recorder?.finish(task)
  if (record) {
    const meta = task.meta as MemoryTaskMeta
    meta.memory = record
    trail?.finish(task.id, record)
    if (record.attributable && record.violations.length > 0)
      errors.push(formatTestBudgetFailure(record))
  }
  if (errors.length > 0)
    throw new Error(errors.join('\n\n'))
})
