import { isThenable } from './measure-memory.js'

/** Calls `fn` `times` times, awaiting each call that returns a promise. */
export async function callRepeatedly(fn: () => unknown, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const result = fn()
    if (isThenable(result))
      await result
  }
}

type Repeater = (fn: () => unknown, times: number) => Promise<void>

/** `callRepeatedly`'s loop as source, so each measurement can compile it anew. */
const REPEATER_SOURCE = `return async function callRepeatedly(fn, times) {
  for (let i = 0; i < times; i++) {
    const result = fn()
    if (isThenable(result))
      await result
  }
}`

/**
 * `callRepeatedly` compiled anew, with no type feedback from earlier calls: V8 shares feedback
 * between closures of one function literal, but not between separately compiled sources.
 */
export function freshRepeater(): Repeater {
  // eslint-disable-next-line no-new-func
  return new Function('isThenable', REPEATER_SOURCE)(isThenable) as Repeater
}
