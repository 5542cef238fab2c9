import { isThenable } from './measure.js'

type Repeater = (fn: () => unknown, times: number) => Promise<void>

/** The loop as source, so each measurement can compile it anew. */
const REPEATER_SOURCE = `return async function callRepeatedly(fn, times) {
  for (let i = 0; i < times; i++) {
    const result = fn()
    if (isThenable(result))
      await result
  }
}`

/**
 * Calls `fn` `times` times, awaiting each call that returns a promise, in a loop compiled anew with
 * no type feedback from earlier calls: V8 shares feedback between closures of one function literal,
 * but not between separately compiled sources.
 */
export function freshRepeater(): Repeater {
  // eslint-disable-next-line no-new-func
  return new Function('isThenable', REPEATER_SOURCE)(isThenable) as Repeater
}

/** One shared loop, for callers whose counts do not depend on the loop's own compilation. */
export const callRepeatedly: Repeater = freshRepeater()
