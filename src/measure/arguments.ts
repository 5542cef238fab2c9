/** Strings longer than this are cut in error messages: the start is enough to recognise them. */
const SHOWN_CHARACTERS = 60

/**
 * A value as an error message shows it: short, on one line, and never throwing, whatever it is (a
 * BigInt or a cyclic object make `JSON.stringify` throw; an object without a prototype, `String`).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value.length > SHOWN_CHARACTERS ? `${JSON.stringify(`${value.slice(0, SHOWN_CHARACTERS)}…`)} (${value.length} characters)` : JSON.stringify(value)
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value)
    case 'bigint':
      return `${value}n`
    case 'symbol':
      return value.toString()
    case 'function':
      return 'a function'
    case 'object': {
      if (value === null)
        return 'null'
      if (Array.isArray(value))
        return 'an array'
      const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null
      const name = prototype?.constructor?.name
      if (prototype === null || prototype === Object.prototype || typeof name !== 'string' || name === '')
        return 'an object'
      return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`
    }
    default:
      return String(value)
  }
}

/** An object literal (or one without a prototype): not an array, a Map, a Date, a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null)
    return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === null || prototype === Object.prototype
}

/** Checks an options object: a plain object whose keys are all among `known`, with errors that name `api`. */
export function checkOptions(api: string, options: unknown, known: readonly string[]): asserts options is object {
  if (!isPlainObject(options))
    throw new TypeError(`${api} options must be an object, got ${describeValue(options)}.`)
  const unknown = Object.keys(options).filter(key => !known.includes(key))
  if (unknown.length > 0)
    throw new TypeError(`Unknown ${api} option ${unknown.map(key => JSON.stringify(key)).join(', ')}. Accepted: ${known.join(', ')}.`)
}

/** Checks the two arguments every measuring function takes, with errors that name the function. */
export function checkCall(api: string, fn: unknown, options: unknown, known: readonly string[]): asserts fn is () => unknown {
  if (typeof fn !== 'function')
    throw new TypeError(`${api} expects a function to run, got ${fn === null ? 'null' : typeof fn}.`)
  checkOptions(api, options, known)
}

/** A count option: a whole number, `min` or more; `fallback` when it is not given (null is not "not given"). */
export function wholeNumber(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined)
    return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new TypeError(`Invalid ${name}: ${describeValue(value)}. Expected a whole number, ${min} or more.`)
  return value
}
