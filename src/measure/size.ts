/**
 * Byte sizes as people write them in budgets: `300MB`, `1.5 GiB`, `512kb`.
 * SI units (kB, MB, ...) are powers of 1000 and IEC units (KiB, MiB, ...) powers of 1024, the same
 * reading as Vitest's own `vmMemoryLimit`, so one config never mixes two meanings of "MB".
 */

import { describeValue } from './arguments.js'

/** Which unit family a figure is printed in: the one the budget was written in. */
export type UnitFamily = 'si' | 'iec'

/** A size as accepted by budgets: bytes as a number, or a string with a unit. */
export type SizeInput = number | string

export interface ParsedSize {
  bytes: number
  family: UnitFamily
}

// A Map, not an object literal: a unit such as 'toString' or 'constructor' must not find Object's own members.
// Vitest's vmMemoryLimit also reads a bare number in a string as bytes, and k, m and g as kB, MB and GB.
const UNITS = new Map<string, { factor: number, family: UnitFamily }>([
  ['', { factor: 1, family: 'si' }],
  ['b', { factor: 1, family: 'si' }],
  ['k', { factor: 1e3, family: 'si' }],
  ['m', { factor: 1e6, family: 'si' }],
  ['g', { factor: 1e9, family: 'si' }],
  ['t', { factor: 1e12, family: 'si' }],
  ['kb', { factor: 1e3, family: 'si' }],
  ['mb', { factor: 1e6, family: 'si' }],
  ['gb', { factor: 1e9, family: 'si' }],
  ['tb', { factor: 1e12, family: 'si' }],
  ['kib', { factor: 2 ** 10, family: 'iec' }],
  ['mib', { factor: 2 ** 20, family: 'iec' }],
  ['gib', { factor: 2 ** 30, family: 'iec' }],
  ['tib', { factor: 2 ** 40, family: 'iec' }],
])

const SIZE_PATTERN = /^(\d+(?:\.\d+)?|\.\d+)(?: ?([a-z]+))?$/i

export const ACCEPTED_SIZES
  = 'a number of bytes (e.g. 1048576 or \'1048576\') or a string with a unit: B, kB (or k), MB (M), GB (G), '
    + 'TB (T) (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), case-insensitive, e.g. \'300MB\', \'300M\', \'1.5 GiB\''

/**
 * Parses a size. `what` names the input in the error, e.g. `budget for "parse > big file"`.
 * @throws TypeError naming the input and listing the accepted forms.
 */
export function parseSize(input: SizeInput, what = 'size'): ParsedSize {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0)
      return { bytes: input, family: 'si' }
  }
  else if (typeof input === 'string') {
    const match = SIZE_PATTERN.exec(input.trim())
    const unit = match ? UNITS.get((match[2] ?? '').toLowerCase()) : undefined
    const bytes = unit ? Number(match![1]) * unit.factor : Number.NaN
    // Enough digits overflow to Infinity, which no budget can mean.
    if (unit && Number.isFinite(bytes))
      return { bytes, family: unit.family }
  }
  throw new TypeError(`Invalid ${what}: ${describeValue(input)}. Expected ${ACCEPTED_SIZES}.`)
}

const PREFIXES = ['', 'k', 'M', 'G', 'T']

/**
 * Formats bytes for people: `104.9 MB`, `100 MiB`, `-1.2 kB`, `512 B`.
 * Up to two decimals below 100 and one above, so a 1% difference stays visible. A figure that was
 * not measured (`rss` in a browser page: NaN, or null once through JSON) shows as `-`.
 */
export function formatBytes(bytes: number, family: UnitFamily = 'si'): string {
  if (!Number.isFinite(bytes))
    return '-'
  const base = family === 'si' ? 1000 : 1024
  const sign = bytes < 0 ? '-' : ''
  let value = Math.abs(bytes)
  let exponent = 0
  while (value >= base && exponent < PREFIXES.length - 1) {
    value /= base
    exponent++
  }
  if (exponent === 0)
    return `${sign}${Math.round(value)} B`
  const prefix = family === 'si' ? PREFIXES[exponent] : `${PREFIXES[exponent]!.toUpperCase()}i`
  const digits = value.toFixed(value >= 100 ? 1 : 2).replace(/\.?0+$/, '')
  return `${sign}${digits} ${prefix}B`
}
