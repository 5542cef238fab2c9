// The setup file the plugin registers: installs the memory matchers and catches un-awaited calls.
// Without the plugin, add 'vitest-memory-budget/setup' to `setupFiles` yourself.
import { afterEach, chai, expect } from 'vitest'
import './types.js'
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

afterEach(async (context) => {
  const error = await settleUnawaited(context.task)
  if (error)
    throw error
})
