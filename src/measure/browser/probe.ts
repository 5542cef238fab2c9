import type { HeapPoint } from '../gc-trace.js'
import type { DomCounts, MemoryProbe } from '../probe.js'
import type { CdpClosedWindow } from './cdp.js'

/**
 * What the page asks of the Vitest process, which holds the CDP session: one browser command, so
 * a page allocates one small message per step and nothing else of the probe's.
 */
export type ProbeCommand = {
  (operation: 'gc'): Promise<void>
  (operation: 'heap'): Promise<HeapPoint>
  (operation: 'dom'): Promise<DomCounts>
  (operation: 'open'): Promise<void>
  (operation: 'close'): Promise<CdpClosedWindow>
}

/**
 * The Chromium probe, in the page: every step is a round trip to the Vitest process, which drives
 * CDP (see `cdp.ts`). The page keeps only the timing of the call.
 */
export function createBrowserProbe(command: ProbeCommand): MemoryProbe {
  // A page has no async context to tell a nested measurement from a concurrent one: a measurement
  // started while one runs is taken as nested, which holds for tests that run one at a time.
  let running = false
  let queue: Promise<unknown> = Promise.resolve()
  return {
    measuresRss: false,
    nativeUnavailable: () => 'a browser page has no C heap of its own to count',
    collectGarbage: () => command('gc'),
    heapNow: () => command('heap'),
    domNow: () => command('dom'),
    async openWindow() {
      await command('open')
      const started = performance.now()
      return {
        async close() {
          const duration = performance.now() - started
          return { ...await command('close'), rss: Number.NaN, rssMethod: 'none', native: Number.NaN, nativeMethod: 'none', duration }
        },
      }
    },
    exclusive<T>(task: () => Promise<T>): Promise<T> {
      if (running)
        return task()
      const turn = queue.then(async () => {
        running = true
        try {
          return await task()
        }
        finally {
          running = false
        }
      })
      queue = turn.catch(() => {})
      return turn
    },
  }
}
