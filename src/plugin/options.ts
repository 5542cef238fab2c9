/** Options of `memoryBudget()`. */
export interface MemoryBudgetOptions {
  /**
   * Run test workers with `--single-threaded-gc`, so the same code measures the same peaks in every
   * run (default `true`). Parallel GC threads make peaks vary several-fold between runs.
   */
  deterministic?: boolean
}

export interface ResolvedMemoryBudgetOptions {
  deterministic: boolean
}

const KNOWN_OPTIONS = ['deterministic']

export function resolveOptions(options: MemoryBudgetOptions | undefined): ResolvedMemoryBudgetOptions {
  if (options === undefined)
    return { deterministic: true }
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`memoryBudget() options must be an object, got ${String(options)}.`)
  const unknown = Object.keys(options).filter(key => !KNOWN_OPTIONS.includes(key))
  if (unknown.length > 0)
    throw new TypeError(`Unknown memoryBudget() option ${unknown.map(k => `"${k}"`).join(', ')}. Accepted: ${KNOWN_OPTIONS.join(', ')}.`)
  const { deterministic = true } = options
  if (typeof deterministic !== 'boolean')
    throw new TypeError(`memoryBudget() option "deterministic" must be true or false, got ${JSON.stringify(deterministic)}.`)
  return { deterministic }
}

/** Node flags for measured workers: a gc() for clean baselines, and a single GC thread for repeatable peaks. */
export function workerExecArgv(options: ResolvedMemoryBudgetOptions): string[] {
  return options.deterministic ? ['--expose-gc', '--single-threaded-gc'] : ['--expose-gc']
}
