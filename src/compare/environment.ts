/** Where a report's or baseline's figures were measured. */
export interface ReportEnvironment {
  node: string
  /** V8 version of the workers' Node (`process.versions.v8`); absent in reports and baselines written before it was recorded. */
  v8?: string
  vitest: string
  platform: string
  arch: string
  /** Flags of the measured workers. */
  workerFlags: string[]
  deterministic: boolean
  /**
   * The coverage provider the run collected with (`v8`, `istanbul`, `custom`), or `none`. Coverage's
   * counters are part of what a test holds (V8's: about 200 B per function called). Absent in
   * reports and baselines written before it was recorded.
   */
  coverage?: string
}

/** Fields of an environment that a comparison looks at. */
export type EnvironmentField = 'node' | 'v8' | 'vitest' | 'platform' | 'arch' | 'workerFlags' | 'coverage'

export interface EnvironmentDifference {
  field: EnvironmentField
  base: string
  head: string
}

/** How the environment of the compared figures (baseline or base report) differs from this run's. */
export interface EnvironmentDrift {
  /** Every field that differs; worker flags as one space-separated string. */
  differences: EnvironmentDifference[]
  /**
   * A different V8 major, different worker flags or coverage on one side only: the engine allocates
   * and collects differently, or coverage's counters are part of the figures, so they move without
   * any change to the code (V8 12 and 13 measured the same 64 MiB spike at 1,275 MB and 1,342 MB).
   */
  incomparable: boolean
  /** Whether regressions still count for `failOnRegression` (`regression.acrossEnvironments`). */
  regressionsCount: boolean
}

const major = (version: string) => Number.parseInt(version.replace(/^v/, ''), 10)
const flagsOf = (environment: ReportEnvironment) => [...environment.workerFlags].sort().join(' ')

/**
 * The drift from `base` to `head`, or undefined when nothing differs or `base` is unknown (a
 * baseline written before environments were recorded). Without a recorded V8 version, a different
 * Node major stands in for a different V8 major: every Node major so far shipped a new V8.
 */
export function environmentDrift(base: ReportEnvironment | undefined, head: ReportEnvironment, acrossEnvironments: boolean): EnvironmentDrift | undefined {
  if (!base)
    return undefined
  const differences: EnvironmentDifference[] = []
  const compare = (field: EnvironmentField, baseValue: string | undefined, headValue: string | undefined) => {
    if (baseValue !== undefined && headValue !== undefined && baseValue !== headValue)
      differences.push({ field, base: baseValue, head: headValue })
  }
  compare('node', base.node, head.node)
  compare('v8', base.v8, head.v8)
  compare('vitest', base.vitest, head.vitest)
  compare('platform', base.platform, head.platform)
  compare('arch', base.arch, head.arch)
  compare('workerFlags', flagsOf(base), flagsOf(head))
  compare('coverage', base.coverage, head.coverage)
  if (differences.length === 0)
    return undefined
  const engineMoved = base.v8 !== undefined && head.v8 !== undefined ? major(base.v8) !== major(head.v8) : major(base.node) !== major(head.node)
  const incomparable = engineMoved || differences.some(d => d.field === 'workerFlags' || d.field === 'coverage')
  return { differences, incomparable, regressionsCount: !incomparable || acrossEnvironments }
}

/** Whether `failOnRegression` fails this compared run: regressions across an incomparable environment only count when asked. */
export function failsOnRegression(summary: { regressed: number, environmentDrift?: EnvironmentDrift }, failOnRegression: boolean): boolean {
  return failOnRegression && summary.regressed > 0 && (summary.environmentDrift?.regressionsCount ?? true)
}
