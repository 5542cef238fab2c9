/** Checks the two arguments every measuring function takes, with errors that name the function. */
export function checkCall(api: string, fn: unknown, options: unknown): asserts fn is () => unknown {
  if (typeof fn !== 'function')
    throw new TypeError(`${api} expects a function to run, got ${fn === null ? 'null' : typeof fn}.`)
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`${api} options must be an object, got ${String(options)}.`)
}

/** A count option: a whole number, `min` or more. */
export function wholeNumber(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new TypeError(`Invalid ${name}: ${JSON.stringify(value) ?? String(value)}. Expected a whole number, ${min} or more.`)
  return value
}
