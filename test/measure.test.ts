import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, test } from 'vitest'
import { measureMemory, stopRssSampler } from '../src/index.js'
import { residentNow } from '../src/measure/rss.js'

const MiB = 2 ** 20

afterAll(() => stopRssSampler())

describe('measureMemory, against known allocations', () => {
  test('a filled 100 MB Buffer measures 100 MB of external peak, within 1%', async () => {
    const m = await measureMemory(() => {
      Buffer.alloc(100e6, 1)
    })
    expect(m.external).toBeGreaterThanOrEqual(100e6)
    expect(m.external).toBeLessThan(101e6)
    expect(m.total).toBeGreaterThanOrEqual(m.external)
    expect(m.total).toBeLessThan(101e6)
    // Filled pages are resident.
    expect(m.rss).toBeGreaterThan(95e6)
    expect(m.retained).toBeLessThan(1e6)
  })

  test('a zero-filled 1 GB ArrayBuffer is allocated but barely resident', async () => {
    const m = await measureMemory(() => {
      const buffer = new ArrayBuffer(1e9)
      return buffer.byteLength
    })
    expect(m.external).toBeGreaterThanOrEqual(1e9)
    // About 1 GB: the heap may dip a little below its baseline meanwhile (the runner's own garbage).
    expect(m.total).toBeGreaterThan(0.999e9)
    expect(m.total).toBeLessThan(1.01e9)
    expect(m.rss).toBeLessThan(50e6)
  })

  test('allocating and dropping 64 MiB twenty times in one synchronous call peaks at 64 MiB or more', async () => {
    const m = await measureMemory(() => {
      for (let i = 0; i < 20; i++) new Uint8Array(64 * MiB)
    })
    expect(m.total).toBeGreaterThanOrEqual(64 * MiB)
    expect(m.allocated).toBeGreaterThanOrEqual(20 * 64 * MiB)
    expect(m.gcCount).toBeGreaterThan(0)
    expect(m.gcTime).toBeGreaterThan(0)
    // The timeline shows what was freed at each GC and never drops below the baseline's own live memory.
    expect(m.timeline.some(p => p.phase === 'before-gc' && p.external >= 64 * MiB)).toBe(true)
    expect(Math.max(...m.timeline.map(p => p.heap + p.external))).toBe(m.total)
  })

  test('heap objects count as heap, not external', async () => {
    const m = await measureMemory(() => {
      const rows = Array.from({ length: 200_000 }, (_, i) => ({ id: i, name: `row ${i}` }))
      return rows.length
    })
    // 200k objects with a string each: well over 10 MB of heap, no external memory.
    expect(m.heap).toBeGreaterThan(10e6)
    expect(m.external).toBeLessThan(100e3)
  })

  test('retained is what the call kept alive', async () => {
    const kept: Buffer[] = []
    const m = await measureMemory(() => {
      kept.push(Buffer.alloc(20e6, 1))
      Buffer.alloc(30e6, 1)
    })
    // Within a few percent: the worker's own traffic during the call (messages from the main
    // process) is held or freed too.
    expect(m.retained).toBeGreaterThan(19.5e6)
    expect(m.retained).toBeLessThan(21e6)
    expect(m.total).toBeGreaterThanOrEqual(50e6)
    kept.length = 0
  })

  test('what the function returns is not retained by it: the caller never receives it', async () => {
    const sync = await measureMemory(() => Buffer.alloc(5e6, 1))
    const async = await measureMemory(async () => Buffer.alloc(5e6, 1))
    for (const m of [sync, async]) {
      expect(m.external).toBeGreaterThanOrEqual(5e6)
      expect(m.retained).toBeLessThan(0.5e6)
    }
  })

  test('async functions are measured to their end', async () => {
    const m = await measureMemory(async () => {
      const first = Buffer.alloc(10e6, 1)
      await new Promise(resolve => setTimeout(resolve, 20))
      const second = Buffer.alloc(40e6, 1)
      return first.length + second.length
    })
    // Within 0.1%: while it awaits, the worker's own traffic may free a few bytes of older memory.
    expect(m.external).toBeGreaterThan(49.95e6)
    expect(m.external).toBeLessThan(51e6)
    expect(m.duration).toBeGreaterThanOrEqual(15)
  })

  test('the function\'s own error and rejection come back unchanged', async () => {
    const error = new RangeError('out of range')
    await expect(measureMemory(() => {
      throw error
    })).rejects.toBe(error)
    await expect(measureMemory(async () => {
      throw error
    })).rejects.toBe(error)
    const notAnError = { code: 42 }
    await expect(measureMemory(() => Promise.reject(notAnError))).rejects.toBe(notAnError)
  })

  test('peak RSS falls back to a sampler thread that catches synchronous spikes', async () => {
    const m = await measureMemory(() => {
      const buffer = Buffer.alloc(200e6, 1)
      // Hold the filled pages long enough for a 1 ms sampler to see them.
      const until = Date.now() + 50
      while (Date.now() < until) buffer[Math.floor(Math.random() * buffer.length)]! += 1
    }, { rss: 'sampler' })
    expect(m.rssMethod).toBe('sampler')
    expect(m.rss).toBeGreaterThan(190e6)
    expect(m.rss).toBeLessThan(230e6)
  })

  test.runIf(process.platform === 'linux')('on Linux, peak RSS is the kernel\'s high-water mark, even for a spike no sampler sees', async () => {
    const m = await measureMemory(() => {
      Buffer.alloc(200e6, 1)
    })
    expect(m.rssMethod).toBe('kernel')
    expect(m.rss).toBeGreaterThan(190e6)
    expect(m.rss).toBeLessThan(230e6)
  })

  test('resident memory now reads what Node reads, in bytes', () => {
    const before = residentNow()
    const buffer = Buffer.alloc(100e6, 1)
    const [ours, node] = [residentNow(), process.memoryUsage.rss()]
    expect(Math.abs(ours - node)).toBeLessThan(1 * MiB)
    expect(ours - before).toBeGreaterThan(99e6)
    expect(buffer.length).toBe(100e6)
  })

  test('allocation sites name the function that allocated', async () => {
    function buildRows() {
      return Array.from({ length: 100_000 }, (_, i) => ({ id: i, label: `label ${i}` }))
    }
    const m = await measureMemory(() => buildRows().length, { allocationSites: true })
    // 100k objects with a 14-character string each: about 10 MB, all from the arrow inside buildRows.
    const [top] = m.allocationSites
    expect(top).toMatchObject({ file: 'test/measure.test.ts', functionName: '(anonymous)' })
    expect(top!.bytes).toBeGreaterThan(5e6)
    // Array.from's own allocation is native: it is charged to the user frame that called it.
    expect(m.allocationSites.find(site => site.functionName === 'buildRows')).toMatchObject({ file: 'test/measure.test.ts' })
    // The lines of this file, not of the code Vitest ran (its imports rewritten, shifting them by
    // 2 to 3 lines): V8 gives each function's first line.
    const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n')
    const definedOn = (text: string) => lines.findIndex(line => line.includes(text)) + 1
    expect(top!.line).toBe(definedOn('return Array.from({ length: 100_000 }, (_, i)'))
    expect(m.allocationSites.find(site => site.functionName === 'buildRows')!.line).toBe(definedOn('function buildRows() {'))
    // The measuring machinery's own allocations are left out; what else the worker did meanwhile
    // (a message from the main process, say) is a sample or two at most.
    const elsewhere = m.allocationSites.filter(site => site.file !== 'test/measure.test.ts')
    expect(elsewhere.reduce((sum, site) => sum + site.bytes, 0), JSON.stringify(elsewhere)).toBeLessThan(0.05 * top!.bytes)
  })

  test('bad arguments are TypeErrors that say what is accepted', async () => {
    await expect(measureMemory(42 as never)).rejects.toThrowError('measureMemory expects a function to run, got number.')
    await expect(measureMemory(() => {}, { rss: 'fast' as never })).rejects.toThrowError(`Invalid rss option: "fast". Expected one of 'auto', 'kernel', 'sampler'.`)
    await expect(measureMemory(() => {}, { rssSampleInterval: 0 })).rejects.toThrowError('Invalid rssSampleInterval: 0. Expected a number of milliseconds above 0.')
    await expect(measureMemory(() => {}, { allocationSites: 'yes' as never })).rejects.toThrowError('Invalid allocationSites option: "yes". Expected true or false.')
  })
})
