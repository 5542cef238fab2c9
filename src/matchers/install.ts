import { chai, expect } from 'vitest'
import { trackCall } from './unawaited.js'

/**
 * Gives `expect` the memory matchers, each call's promise tracked so that `afterEach` fails a test
 * that did not await one (see `unawaited.ts`). Used by the setup of a Node worker and of a page.
 */
export function installMatchers(matchers: Record<string, (...args: never[]) => unknown>): void {
  expect.extend(matchers as never)
  chai.use((api, utils) => {
    for (const name of Object.keys(matchers)) {
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
}
