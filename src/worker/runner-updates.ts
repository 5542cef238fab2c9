/**
 * Vitest's runner reports a test's progress to the main process at each hook boundary, through a
 * 100 ms throttle: whether a message goes out between a test's hooks depends on the clock, and the
 * message (6 to 15 kB of the worker's heap) then landed in that test's record in some runs and not
 * in others. While a test is measured its updates are held, and they go out as soon as it ends.
 *
 * Both majors send them as `rpc().onTaskUpdate(...)`, reading `rpc` from the worker state each time,
 * so the state's `rpc` is wrapped. Where the state is missing or shaped otherwise, nothing is held
 * (test/determinism.test.ts fails then: the per-test records flicker again).
 */
export interface RunnerUpdates {
  hold: () => void
  release: () => void
}

interface WorkerState {
  rpc: object
}

const WORKER_STATE = '__vitest_worker__'
// Process-wide: with `isolate: false` this module may be loaded again for each file, while Vitest
// keeps the wrapped rpc.
const WRAPPED = Symbol.for('vitest-memory-budget.held-rpc')
const wrapped: WeakMap<object, RunnerUpdates> = ((globalThis as { [WRAPPED]?: WeakMap<object, RunnerUpdates> })[WRAPPED] ??= new WeakMap())

type Send = (...args: unknown[]) => Promise<unknown>

export function holdableRunnerUpdates(): RunnerUpdates | undefined {
  const state = (globalThis as { [WORKER_STATE]?: Partial<WorkerState> })[WORKER_STATE]
  if (typeof state?.rpc !== 'object' || state.rpc === null)
    return undefined
  const rpc = state.rpc
  const existing = wrapped.get(rpc)
  if (existing)
    return existing

  let holding = false
  const held: Array<() => void> = []
  const updates: RunnerUpdates = {
    hold() {
      holding = true
    },
    release() {
      holding = false
      for (const send of held.splice(0)) send()
    },
  }
  state.rpc = new Proxy(rpc, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver)
      if (property !== 'onTaskUpdate' || !holding)
        return value
      const send = value as Send
      return (...args: unknown[]) => new Promise((resolve, reject) => {
        held.push(() => send(...args).then(resolve, reject))
      })
    },
  })
  wrapped.set(state.rpc, updates)
  return updates
}
