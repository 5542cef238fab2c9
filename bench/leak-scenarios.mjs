// Realistic leaks and non-leaks for the bench's leak table (and the tests of the trend rule). Each
// entry makes a fresh function with its own state, so a run never sees what an earlier one kept;
// counts are calls of that function (the defaults make 900: 100 warm-up calls, then 8 batches of 100).
import { EventEmitter } from 'node:events'
import { CLEAN, LEAKING } from './leak-cases.mjs'

const MB = 1e6
/** A request's payload: about 1 kB. */
const payload = i => new Array(120).fill(i)

/** A least-recently-used cache of `cap` entries, filled one new key a call. */
function lru(cap) {
  const cache = new Map()
  let i = 0
  return () => {
    const key = `/items/${i}`
    cache.set(key, { id: i++, tags: new Array(40).fill(i) })
    if (cache.size > cap)
      cache.delete(cache.keys().next().value)
  }
}

/** Keeps 1 kB a call; on call `at`, also frees (`sign` -1) or keeps (`sign` +1) 2 MB at once. */
function leakWithStep(sign, at = 500) {
  const kept = []
  let held = sign < 0 ? Buffer.alloc(2 * MB, 1) : undefined
  let i = 0
  return () => {
    if (++i === at)
      held = sign < 0 ? undefined : Buffer.alloc(2 * MB, 1)
    kept.push({ payload: payload(i), held: held?.length })
  }
}

/** Memoizes over `distinct` keys, computing each value once. */
function memoize(distinct, prefix, compute) {
  const memo = new Map()
  let i = 0
  return () => {
    const key = `${prefix}-${i++ % distinct}`
    if (!memo.has(key))
      memo.set(key, compute(i, key))
    return memo.get(key)
  }
}

const fresh = cases => Object.fromEntries(Object.entries(cases).map(([name, fn]) => [name, () => fn]))

/** @type {Record<string, () => () => unknown>} */
export const LEAKS = {
  ...fresh(LEAKING),
  'caches every response in a Map, never evicting': () => {
    const cache = new Map()
    let i = 0
    return () => cache.set(`/users/${i}`, { id: i, name: `user ${i++}` })
  },
  'starts a setInterval and never clears it': () => {
    let i = 0
    return () => {
      const id = i++
      setInterval(() => id, 3_600_000).unref()
    }
  },
  'adds a bare listener per call': () => {
    const emitter = new EventEmitter().setMaxListeners(0)
    return () => emitter.on('change', () => {})
  },
  'keeps 1 kB a call and frees 2 MB once mid-run': () => leakWithStep(-1),
  'keeps 1 kB a call and 2 MB once mid-run': () => leakWithStep(1),
  'subscribes to a store and never unsubscribes': () => {
    const subscribers = []
    const state = { count: 0 }
    return () => {
      const seen = []
      subscribers.push(() => seen.push(state.count))
    }
  },
  'adds an abort listener to a long-lived signal': () => {
    const { signal } = new AbortController()
    return () => signal.addEventListener('abort', () => {})
  },
  'keeps every error in an in-memory log': () => {
    const log = []
    let i = 0
    return () => {
      try {
        JSON.parse(`{"broken": ${i++}`)
      }
      catch (error) {
        log.push(error)
      }
    }
  },
  'counts a metric per unique label': () => {
    const counts = {}
    let i = 0
    return () => {
      const label = `GET /items/${i++}`
      counts[label] = (counts[label] ?? 0) + 1
    }
  },
  'tags request objects in a Map, not a WeakMap': () => {
    const meta = new Map()
    let i = 0
    return () => {
      const request = { url: `/items/${i}`, headers: {} }
      meta.set(request, { started: i++ })
    }
  },
  'remembers every request id in a Set': () => {
    const seen = new Set()
    let i = 0
    return () => seen.add(`request-${i++}`)
  },
  'races a promise against an event that never comes (async)': () => {
    const emitter = new EventEmitter().setMaxListeners(0)
    return () => Promise.race([new Promise(resolve => emitter.once('ready', resolve)), Promise.resolve('timeout')])
  },
  'schedules a retry an hour later (async)': () => {
    let i = 0
    return async () => {
      const body = new Array(30).fill(i++)
      await null
      setTimeout(() => body.length, 3_600_000).unref()
    }
  },
  'appends 256-byte Buffers to a list': () => {
    const chunks = []
    return () => chunks.push(Buffer.alloc(256, 1))
  },
  'registers every instance in a static list': () => {
    class Connection {
      static all = []
      constructor(id) {
        this.id = id
        Connection.all.push(this)
      }
    }
    let i = 0
    return () => new Connection(i++)
  },
  'adds a middleware per request': () => {
    const stack = []
    return () => stack.push((request, next) => next(request))
  },
  'memoizes on unique inputs': () => {
    const memo = new Map()
    let i = 0
    return () => {
      const key = JSON.stringify({ query: 'items', page: i++ })
      if (!memo.has(key))
        memo.set(key, key.length)
      return memo.get(key)
    }
  },
  'appends each path to a history array': () => {
    const history = []
    let i = 0
    return () => history.push(`/items/${i++}`)
  },
}

/** @type {Record<string, () => () => unknown>} */
export const NON_LEAKS = {
  ...fresh(CLEAN),
  'LRU cache capped at 500 entries, filling during the measured calls': () => lru(500),
  'LRU cache capped at 700 entries, filling during the measured calls': () => lru(700),
  'LRU cache capped at 50 entries, full after the warm-up': () => lru(50),
  'holds a 2 MB temporary, freed once mid-run': () => {
    let held = Buffer.alloc(2 * MB, 1)
    let i = 0
    return () => {
      if (++i === 500)
        held = undefined
      return held?.length ?? payload(i).length
    }
  },
  'builds a 2 MB lookup table on first use, mid-run': () => {
    let table
    let i = 0
    return () => {
      if (++i >= 500)
        table ??= Array.from({ length: 50_000 }, (_, k) => ({ k }))
      return table?.length ?? 0
    }
  },
  'memoizes over 64 distinct inputs': () => memoize(64, 'page', i => payload(i)),
  'borrows and returns pooled objects': () => {
    const pool = Array.from({ length: 8 }, () => ({ buffer: new Array(120).fill(0) }))
    return () => {
      const item = pool.pop()
      item.buffer.fill(1)
      pool.push(item)
    }
  },
  'keeps the last 200 entries in a ring buffer': () => {
    const ring = new Array(200)
    let i = 0
    return () => {
      ring[i % 200] = payload(i)
      i++
    }
  },
  'queues entries and flushes them every 250 calls': () => {
    let queue = []
    return () => {
      queue.push(payload(queue.length))
      if (queue.length === 250)
        queue = []
    }
  },
  'listens once and emits': () => {
    const emitter = new EventEmitter()
    return () => {
      const body = payload(1)
      emitter.once('done', () => body.length)
      emitter.emit('done')
    }
  },
  'creates an AbortController per call and aborts it': () => () => {
    const controller = new AbortController()
    controller.signal.addEventListener('abort', () => {})
    controller.abort()
  },
  'keys a WeakMap by per-call objects': () => {
    const meta = new WeakMap()
    return () => meta.set({ url: '/items' }, payload(1))
  },
  'awaits a 0 ms timer (async)': () => () => new Promise(resolve => setTimeout(resolve, 0)),
  'sets an interval and clears it': () => () => clearInterval(setInterval(() => {}, 1000)),
  'interns 100 distinct names': () => memoize(100, 'name', (_, key) => key),
}
