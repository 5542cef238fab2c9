import { describe, expect, test } from 'vitest'
import { resolveOptions, workerExecArgv } from '../../src/plugin/options.js'

describe('memoryBudget() options', () => {
  test('default to deterministic workers', () => {
    expect(resolveOptions(undefined)).toEqual({ deterministic: true })
    expect(workerExecArgv(resolveOptions({}))).toEqual(['--expose-gc', '--single-threaded-gc'])
    expect(workerExecArgv(resolveOptions({ deterministic: false }))).toEqual(['--expose-gc'])
  })

  test.each([
    [null, 'memoryBudget() options must be an object, got null.'],
    ['fast', 'memoryBudget() options must be an object, got fast.'],
    [{ deterministc: true }, 'Unknown memoryBudget() option "deterministc". Accepted: deterministic.'],
    [{ deterministic: 'yes' }, 'memoryBudget() option "deterministic" must be true or false, got "yes".'],
  ])('reject %j with a message naming it', (options, message) => {
    expect(() => resolveOptions(options as never)).toThrowError(new TypeError(message))
  })
})
