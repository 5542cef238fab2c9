/**
 * A small deterministic fuzzer: a seeded PRNG and mutations of valid inputs, so that every run tries
 * the same few hundred malformed inputs and a failure names a case that reproduces.
 */

/** mulberry32: 32 bits of state, good enough to spread cases, and the same sequence on every Node. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6D2B79F5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

export class Fuzzer {
  private readonly next: () => number

  constructor(seed: number) {
    this.next = random(seed)
  }

  int(below: number): number {
    return Math.floor(this.next() * below)
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!
  }

  /** `count` different items, picked at random (all of them if there are no more). */
  sample<T>(items: readonly T[], count: number): T[] {
    const shuffled = [...items]
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
    }
    return shuffled.slice(0, count)
  }

  /** A key one typo away from `key`: a character dropped, doubled, swapped or changed in case. */
  typo(key: string): string {
    // A swap at the end or of two equal characters changes nothing: draw again.
    for (;;) {
      const typo = this.oneTypo(key)
      if (typo !== key)
        return typo
    }
  }

  private oneTypo(key: string): string {
    const at = this.int(key.length)
    const mutations = [
      () => key.slice(0, at) + key.slice(at + 1),
      () => key.slice(0, at) + key[at] + key.slice(at),
      () => key.slice(0, at) + (key[at + 1] ?? '') + key[at] + key.slice(at + 2),
      () => key.toUpperCase(),
      () => `${key}s`,
    ]
    const typo = this.pick(mutations)()
    // Swapping the last character with the one after it changes nothing: then try another.
    return typo === key ? this.typo(key) : typo
  }

  /** `text` with `insert` put somewhere inside it (or at either end). */
  insert(text: string, insert: string): string {
    const at = this.int(text.length + 1)
    return text.slice(0, at) + insert + text.slice(at)
  }
}

/** Deeply nested junk, without a cycle. */
function nested(depth: number): unknown {
  return depth === 0 ? 'bottom' : { level: depth, next: nested(depth - 1), list: [depth] }
}

const cyclic: Record<string, unknown> = { name: 'cyclic' }
cyclic.self = cyclic

/**
 * Values of every JavaScript type, most of them wrong for any input: each caller filters out what
 * its input accepts (a number for a size, an object for options).
 */
export const JUNK_VALUES: readonly unknown[] = [
  null,
  true,
  false,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -1,
  -0.5,
  2.5,
  Number.MAX_VALUE,
  10n,
  Symbol('junk'),
  () => 'junk',
  [],
  ['200MB'],
  {},
  Object.create(null),
  new Map([['**', '200MB']]),
  new Date(0),
  /regex/,
  Promise.resolve(),
  nested(50),
  cyclic,
  JSON.parse('{"__proto__": {"polluted": true}}'),
]

/** Strings that are wrong for every string input here: broken, empty, hostile or huge. */
export const JUNK_STRINGS: readonly string[] = [
  '',
  '   ',
  '\u0000',
  'a\nb',
  '\r',
  '-1',
  'NaN',
  'Infinity',
  '1e3',
  '0x10',
  '１０', // full-width digits
  '١٠', // Arabic-Indic digits
  '10 %%',
  '🧨',
  '\u202Egnp.exe',
  'zero\u200Bwidth',
  '__proto__',
  'constructor',
  'toString',
  '::error::x',
  '%0A',
  '<script>',
  'x'.repeat(10_000),
]

/** Messages that come from deep inside the code instead of from a check that names the input. */
export const DEEP_ERRORS = /Cannot read propert|Cannot convert|is not a function|is not iterable|undefined is not|Do not know how to serialize|circular structure|Maximum call stack/

/**
 * What an error message must contain to name `value`: a string's start, a number as written, or
 * its kind for what cannot be written out.
 */
export function mentionOf(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(Array.from(value).slice(0, 20).join('')).slice(0, -1)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'symbol':
      return value.toString()
    case 'function':
      return 'function'
    case 'object': {
      if (value === null)
        return 'null'
      if (Array.isArray(value))
        return 'array'
      const prototype = Object.getPrototypeOf(value)
      return prototype === null || prototype === Object.prototype ? 'object' : prototype.constructor.name
    }
    default:
      return String(value)
  }
}

/** Shows a case in a failure list: short, one line, whatever it holds (JSON would show a Map as {}). */
export function label(value: unknown): string {
  const plain = typeof value === 'object' && value !== null && [Object.prototype, Array.prototype].includes(Object.getPrototypeOf(value))
  let text: string
  try {
    text = typeof value === 'string' || plain ? JSON.stringify(value) : typeof value === 'object' && value !== null ? mentionOf(value) : String(value)
  }
  catch {
    text = mentionOf(value)
  }
  return text.length > 80 ? `${text.slice(0, 80)}…` : text
}
