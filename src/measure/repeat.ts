import { isThenable } from './measure-memory.js'

/** Calls `fn` `times` times, awaiting each call that returns a promise. */
export async function callRepeatedly(fn: () => unknown, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    const result = fn()
    if (isThenable(result))
      await result
  }
}
