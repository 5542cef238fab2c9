import { describe, expect, test } from 'vitest'
import { formatBytes, parseSize } from '../../src/measure/size.js'

describe('parseSize', () => {
  test.each([
    [0, 0, 'si'],
    [1536, 1536, 'si'],
    ['1B', 1, 'si'],
    ['300MB', 300e6, 'si'],
    ['300 MB', 300e6, 'si'],
    ['300mb', 300e6, 'si'],
    ['1.5GB', 1.5e9, 'si'],
    ['.5kB', 500, 'si'],
    ['2KB', 2000, 'si'],
    ['1TB', 1e12, 'si'],
    ['2T', 2e12, 'si'],
    ['.25kB', 250, 'si'],
    ['64MiB', 64 * 2 ** 20, 'iec'],
    ['64 mib', 64 * 2 ** 20, 'iec'],
    ['1.5 GiB', 1.5 * 2 ** 30, 'iec'],
    ['4KiB', 4096, 'iec'],
    ['1TiB', 2 ** 40, 'iec'],
    ['  10MB  ', 10e6, 'si'],
    // Issue 26, item 17: as Vitest's vmMemoryLimit reads them.
    ['300M', 300e6, 'si'],
    ['300 m', 300e6, 'si'],
    ['512k', 512e3, 'si'],
    ['2G', 2e9, 'si'],
    ['300000000', 300e6, 'si'],
  ] as const)('%j is %d bytes (%s)', (input, bytes, family) => {
    expect(parseSize(input)).toEqual({ bytes, family })
  })

  test.each([
    -1, Number.NaN, Number.POSITIVE_INFINITY, '', '   ', '300 megs', '300mi', '10%', '-5MB', 'MB', '1e3MB',
    '5  MB', '1,5MB', '0x10MB', '300MB!',
  ])('rejects %j with a TypeError naming it and listing the accepted forms', (input) => {
    expect(() => parseSize(input, 'budget')).toThrowError(TypeError)
    expect(() => parseSize(input, 'budget')).toThrowError(`Invalid budget: ${typeof input === 'string' ? JSON.stringify(input) : String(input)}. Expected a number of bytes`)
    expect(() => parseSize(input, 'budget')).toThrowError(/KiB, MiB, GiB, TiB/)
  })

  test.each([`${'9'.repeat(400)}MB`, '9'.repeat(400)])('rejects digits enough to overflow a double to Infinity, with a unit or without', (input) => {
    expect(() => parseSize(input)).toThrowError(/^Invalid size: "9{60}…" \(\d+ characters\)\. Expected a number of bytes/)
  })

  test('names the input "size" unless told what it is', () => {
    expect(() => parseSize('lots')).toThrowError('Invalid size: "lots". Expected a number of bytes')
  })

  test.each([null, undefined, {}, [], true, 10n])('rejects %s without throwing anything but a TypeError', (input) => {
    expect(() => parseSize(input as never)).toThrowError(TypeError)
  })
})

describe('formatBytes', () => {
  test.each([
    [0, 'si', '0 B'],
    [999, 'si', '999 B'],
    [1000, 'si', '1 kB'],
    [1010, 'si', '1.01 kB'],
    [104_857_600, 'si', '104.9 MB'],
    [104_857_600, 'iec', '100 MiB'],
    [1.5 * 2 ** 30, 'iec', '1.5 GiB'],
    [2 ** 40 * 2048, 'iec', '2048 TiB'],
    [-1234, 'si', '-1.23 kB'],
    [12_345_678, 'si', '12.35 MB'],
    [300e6, 'si', '300 MB'],
  ] as const)('%d bytes in %s units is %s', (bytes, family, text) => {
    expect(formatBytes(bytes, family)).toBe(text)
  })

  test.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, null as unknown as number])('%s, a figure not measured, shows as -', (bytes) => {
    expect(formatBytes(bytes)).toBe('-')
    expect(formatBytes(bytes, 'iec')).toBe('-')
  })

  test('round-trips through parseSize within the printed precision', () => {
    for (const bytes of [1, 999, 12_345, 9_999_999, 3e9]) {
      expect(parseSize(formatBytes(bytes).replace(' ', '')).bytes / bytes).toBeCloseTo(1, 2)
    }
  })
})
