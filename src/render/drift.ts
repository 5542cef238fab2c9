import type { EnvironmentDrift, EnvironmentField } from '../compare/environment.js'

const LABELS: Record<EnvironmentField, string> = { node: 'Node', v8: 'V8', vitest: 'Vitest', platform: 'platform', arch: 'arch', workerFlags: 'worker flags', coverage: 'coverage' }

/** What moved, e.g. `V8 12.4.254.21 → 13.6.233.10, Node v20.20.2 → v24.1.0`; raw text, each renderer escapes it. */
export function driftChanges(drift: EnvironmentDrift): string {
  return drift.differences.map(d => `${LABELS[d.field]} ${d.base || '(none)'} → ${d.head || '(none)'}`).join(', ')
}

/** The sentence every format shows when the compared figures come from another environment. */
export function describeDrift(drift: EnvironmentDrift): string {
  if (!drift.incomparable)
    return `Compared with figures from another environment (${driftChanges(drift)}); same V8 major and worker flags, so compared as usual.`
  const verdict = drift.regressionsCount
    ? 'regressions still count (acrossEnvironments is on)'
    : 'regressions are shown but not counted for failOnRegression (regression: { acrossEnvironments: true }, or --across-environments for compare, counts them)'
  const what = drift.differences.some(d => d.field === 'coverage') ? 'another V8 major, other worker flags or other coverage' : 'another V8 major or other worker flags'
  return `Compared with figures from ${what} (${driftChanges(drift)}): memory moves between them without any change to the code, so ${verdict}.`
}

/** Regressions that do not count, for the short labels next to them. */
export function regressionsDiscounted(drift: EnvironmentDrift | undefined): boolean {
  return drift !== undefined && !drift.regressionsCount
}
