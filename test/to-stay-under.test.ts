import { describe, expect, test } from 'vitest'
import { failureOf } from './helpers/failure.js'

const MB = 1e6

describe('toStayUnder', () => {
  test('passes when the peak stays under the budget', async () => {
    await expect(() => Buffer.alloc(10 * MB, 1)).toStayUnder('20MB')
    await expect(() => Buffer.alloc(10 * MB, 1)).toStayUnder(11 * MB)
  })

  test('fails over budget with the budget, the peak, the other metrics and the allocation sites', async () => {
    function parseRows() {
      const rows = Array.from({ length: 100_000 }, (_, i) => ({ id: i, name: `row ${i}` }))
      return { rows, blob: Buffer.alloc(10 * MB, 1) }
    }
    const error = await failureOf(expect(() => parseRows()).toStayUnder('5MB'))
    const lines = error.message.split('\n')
    expect(lines[0]).toMatch(/^expected the function to stay under 5 MB of peak memory \(heap \+ external\), but its peak was [2-4]\d(\.\d+)? MB \([\d.]+ MB over\)$/)
    expect(error.message).toMatch(/^ {2}> total +[2-4]\d(\.\d+)? MB {2}peak of heap \+ external$/m)
    expect(error.message).toMatch(/^ {4}external +10(\.0\d)? MB {2}peak of ArrayBuffer\/Buffer memory$/m)
    for (const metric of ['heap', 'rss', 'retained', 'allocated'])
      expect(error.message).toMatch(new RegExp(`^ {4}${metric} +-?[\\d.]+ k?M?B `, 'm'))
    expect(error.message).toContain('Top allocation sites')
    expect(error.message).toMatch(/^ +[\d.]+ MB {2}\(anonymous\) +test\/to-stay-under\.test\.ts:\d+$/m)
    expect(lines.length).toBeLessThanOrEqual(20)
  })

  test('prints figures in the unit family of the budget', async () => {
    const error = await failureOf(expect(() => Buffer.alloc(10 * 2 ** 20, 1)).toStayUnder('5 MiB'))
    expect(error.message).toMatch(/^expected the function to stay under 5 MiB of .*, but its peak was 10(\.\d+)? MiB/)
  })

  test('.not passes when the budget is exceeded and fails when it is not', async () => {
    await expect(() => Buffer.alloc(10 * MB, 1)).not.toStayUnder('5MB')
    const error = await failureOf(expect(() => Buffer.alloc(1 * MB, 1)).not.toStayUnder('50MB'))
    expect(error.message).toMatch(/^expected the function to exceed 50 MB of peak memory \(heap \+ external\), but its peak was 1(\.\d+)? MB$/m)
  })

  test('holds the chosen metric', async () => {
    // A Buffer's contents are external: it barely touches the V8 heap.
    await expect(() => Buffer.alloc(20 * MB, 1)).toStayUnder('1MB', { metric: 'heap' })
    await expect(() => Buffer.alloc(20 * MB, 1)).not.toStayUnder('19MB', { metric: 'external' })
    // Zero pages are allocated at once but resident only when written.
    const zeroPages = () => new ArrayBuffer(1e9).byteLength
    await expect(zeroPages).toStayUnder('50MB', { metric: 'rss' })
    await expect(zeroPages).not.toStayUnder('500MB')
    const error = await failureOf(expect(() => Array.from({ length: 200_000 }, (_, i) => ({ i }))).toStayUnder('1MB', { metric: 'heap' }))
    expect(error.message).toMatch(/^expected the function to stay under 1 MB of V8 heap, but its peak was/)
    expect(error.message).toMatch(/^ {2}> heap /m)
  })

  test('measures async functions', async () => {
    const error = await failureOf(expect(async () => {
      await new Promise(resolve => setTimeout(resolve, 5))
      return Buffer.alloc(30 * MB, 1)
    }).toStayUnder('20MB'))
    expect(error.message).toMatch(/but its peak was 30(\.\d+)? MB/)
  })

  test('passes the function\'s own error through unchanged', async () => {
    const thrown = new SyntaxError('Unexpected token } in JSON')
    await expect(expect(() => {
      throw thrown
    }).toStayUnder('1MB')).rejects.toBe(thrown)
    await expect(expect(() => Promise.reject(thrown)).toStayUnder('1MB')).rejects.toBe(thrown)
  })

  test.each([
    ['300 megs', 'Invalid budget: "300 megs". Expected a number of bytes'],
    ['10%', 'Invalid budget: "10%".'],
    ['', 'Invalid budget: "".'],
    [-1, 'Invalid budget: -1.'],
    [Number.NaN, 'Invalid budget: NaN.'],
  ])('rejects the budget %j with a TypeError that lists the accepted forms', async (budget, message) => {
    const error = await failureOf(expect(() => {}).toStayUnder(budget))
    expect(error).toBeInstanceOf(TypeError)
    expect(error.message).toContain(message)
    expect(error.message).toContain('KiB, MiB, GiB, TiB (powers of 1024)')
  })

  test('rejects bad options and things that are not functions', async () => {
    expect((await failureOf(expect(() => {}).toStayUnder('1MB', { metric: 'retained' as never }))).message)
      .toBe(`Invalid metric: "retained". Expected one of 'total', 'heap', 'external', 'rss', 'native'.`)
    expect((await failureOf(expect(() => {}).toStayUnder('1MB', { metrc: 'heap' } as never))).message)
      .toBe('Unknown toStayUnder() option "metrc". Accepted: metric.')
    expect((await failureOf(expect(Promise.resolve()).toStayUnder('1MB'))).message)
      .toBe(`toStayUnder() expects a function to run and measure, e.g. expect(() => parse(file)).toStayUnder('300MB'); got a Promise (the work had already started; pass a function so the measurement starts first).`)
    expect((await failureOf(expect(42).toStayUnder('1MB'))).message).toContain('got a number.')
  })
})
