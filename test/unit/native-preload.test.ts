import { afterEach, describe, expect, test } from 'vitest'
import { dropFromPreload } from '../../src/measure/native.js'
import { decideNativeSupport, type NativeHost, withNativePreload } from '../../src/plugin/native-preload.js'

const LIBRARY = '/pkg/dist/native/native-heap.node'
const host = (overrides: Partial<NativeHost> = {}): NativeHost => ({
  platform: 'linux',
  arch: 'x64',
  glibc: '2.36',
  library: LIBRARY,
  exists: () => true,
  checkPreload: () => undefined,
  ...overrides,
})

describe('whether workers can count their C heap', () => {
  test('Linux x64 with glibc, the library there and loading: the environment that preloads it', () => {
    expect(decideNativeSupport(host())).toEqual({ env: { VITEST_MEMORY_BUDGET_NATIVE: LIBRARY, LD_PRELOAD: LIBRARY } })
  })

  test.each([
    [{ platform: 'darwin', arch: 'arm64' }, 'the interposer ships for Linux x64 only, not darwin-arm64'],
    [{ arch: 'arm64' }, 'the interposer ships for Linux x64 only, not linux-arm64'],
    [{ glibc: undefined }, 'the interposer needs glibc (this Linux has another C library, such as musl)'],
    [{ exists: () => false }, `${LIBRARY} is missing (built by npm run build)`],
    [{ library: '/my project/native-heap.node' }, 'its path has a space or colon, which LD_PRELOAD cannot hold: /my project/native-heap.node'],
    [{ checkPreload: () => 'the library did not load into Node with LD_PRELOAD (wrong ELF class)' }, 'the library did not load into Node with LD_PRELOAD (wrong ELF class)'],
  ] satisfies Array<[Partial<NativeHost>, string]>)('%o: unavailable, saying why', (overrides, reason) => {
    expect(decideNativeSupport(host(overrides))).toEqual({ reason })
  })
})

describe('LD_PRELOAD', () => {
  const saved = process.env.LD_PRELOAD
  afterEach(() => {
    if (saved === undefined)
      delete process.env.LD_PRELOAD
    else
      process.env.LD_PRELOAD = saved
  })

  test('the library goes first, before a preloaded allocator, whose malloc it then counts', () => {
    const support = { env: { VITEST_MEMORY_BUDGET_NATIVE: LIBRARY, LD_PRELOAD: LIBRARY } }
    expect(withNativePreload({ LD_PRELOAD: '/usr/lib/libjemalloc.so', OTHER: '1' }, support)).toEqual({ LD_PRELOAD: `${LIBRARY}:/usr/lib/libjemalloc.so`, OTHER: '1', VITEST_MEMORY_BUDGET_NATIVE: LIBRARY })
    delete process.env.LD_PRELOAD
    expect(withNativePreload({}, support).LD_PRELOAD).toBe(LIBRARY)
  })

  test('a worker cuts its own entry out of it, whatever the separator, and the variable when nothing is left', () => {
    process.env.LD_PRELOAD = `/a.so ${LIBRARY}:/b.so`
    dropFromPreload(LIBRARY)
    expect(process.env.LD_PRELOAD).toBe('/a.so:/b.so')
    process.env.LD_PRELOAD = LIBRARY
    dropFromPreload(LIBRARY)
    expect(process.env.LD_PRELOAD).toBeUndefined()
  })
})
