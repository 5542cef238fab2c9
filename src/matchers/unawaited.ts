/**
 * Catches memory matchers that were not awaited. Such a call measures after the test has moved on
 * and its failure surfaces, if at all, as an unhandled error while the test shows as passed. The
 * setup file wraps each call's promise in a thenable that notes being awaited (`await`, `.then`,
 * `Promise.all` all call `then`), and fails the test in `afterEach` when one was not.
 */

interface TrackedCall {
  /** The test that made the call, so concurrent tests do not blame each other. */
  owner: unknown
  assertion: string
  awaited: boolean
  /** Settles when the measurement does, never rejects: holds the failure, if any. */
  outcome: Promise<{ error?: unknown }>
}

const calls = new Set<TrackedCall>()

/** Tracks one call's promise; returns the thenable to hand to the user instead. */
export function trackCall<T>(promise: Promise<T>, owner: unknown, assertion: string): PromiseLike<T> & Promise<T> {
  const call: TrackedCall = {
    owner,
    assertion,
    awaited: false,
    outcome: promise.then(() => ({}), (error: unknown) => ({ error })),
  }
  calls.add(call)
  const mark = () => {
    call.awaited = true
    calls.delete(call)
  }
  return {
    then(onFulfilled, onRejected) {
      mark()
      return promise.then(onFulfilled, onRejected)
    },
    catch(onRejected) {
      mark()
      return promise.catch(onRejected)
    },
    finally(onFinally) {
      mark()
      return promise.finally(onFinally)
    },
    [Symbol.toStringTag]: 'Promise',
  } as Promise<T>
}

/**
 * The owner's calls that were not awaited, no longer tracked. Usually none: then a test ends
 * without waiting a tick (an async hook costs Vitest a timer and a few promises per test).
 */
export function takeUnawaited(owner: unknown): UnawaitedCalls | undefined {
  // Inside the test's measurement: nothing is allocated when no call is tracked.
  if (calls.size === 0)
    return undefined
  const pending = [...calls].filter(call => call.owner === owner)
  if (pending.length === 0)
    return undefined
  for (const call of pending) calls.delete(call)
  return pending
}

export type UnawaitedCalls = readonly TrackedCall[]

/**
 * Waits for un-awaited calls to finish, so no measurement runs on into the next test, and returns
 * the error to fail the test with.
 */
export async function settleUnawaited(pending: UnawaitedCalls): Promise<Error> {
  const outcomes = await Promise.all(pending.map(call => call.outcome))
  const lines = pending.map((call, i) => {
    const error = outcomes[i]!.error
    const result = error === undefined ? 'it passed' : `it failed: ${error instanceof Error ? error.message : String(error)}`
    return `  await ${call.assertion}   (${result.split('\n')[0]})`
  })
  return new Error([
    `${pending.length === 1 ? 'A memory assertion was' : `${pending.length} memory assertions were`} not awaited. Memory matchers run and measure the function asynchronously; without \`await\` the test ends before the verdict, so a failure would go unreported. Write:`,
    ...lines,
  ].join('\n'))
}
