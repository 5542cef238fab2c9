/** What a run writes of the memory baseline: every measured test, only tests it lacks, or nothing. */
export type UpdateMode = 'all' | 'new' | undefined

/** The variable that sets the memory baseline's update alone, as Vitest's UPDATE_SNAPSHOT sets the snapshots'. */
export const UPDATE_VARIABLE = 'UPDATE_MEMORY_BASELINE'

const VARIABLE_VALUES: Record<string, UpdateMode> = { all: 'all', true: 'all', 1: 'all', new: 'new', none: undefined, false: undefined, 0: undefined }

export interface UpdateDecision {
  mode: UpdateMode
  /** Said to the user: -u swallowed what was probably a file filter. */
  note?: string
  /** A value of the variable that means nothing: the run fails on it rather than guess. */
  problem?: string
}

/**
 * `vitest -u` updates the memory baseline with the snapshots, and reads `-u`'s value as Vitest does
 * (4.1 and 5.1): 'new' and 'none' as such, any other value as 'all'. `UPDATE_MEMORY_BASELINE`, when
 * set, decides for the memory baseline alone, so the baseline can be recorded without rewriting any
 * snapshot, or snapshots updated without moving the baseline.
 */
export function decideUpdate(update: unknown, variable: string | undefined): UpdateDecision {
  if (variable !== undefined && variable !== '') {
    const key = variable.trim().toLowerCase()
    if (Object.hasOwn(VARIABLE_VALUES, key))
      return { mode: VARIABLE_VALUES[key] }
    return { mode: undefined, problem: `${UPDATE_VARIABLE}=${JSON.stringify(variable)} is not a value it takes: all (or 1, true), new, or none (or 0, false). The memory baseline was not written.` }
  }
  if (update === undefined || update === false || update === 'none' || update === '')
    return { mode: undefined }
  if (update === 'new')
    return { mode: 'new' }
  // cac gives `-u` an optional value, so `vitest run -u test/a.test.ts` runs without that filter.
  const note = typeof update === 'string' && update !== 'all' && update !== 'true'
    ? `-u read ${JSON.stringify(update)} as its value, not as a file filter: Vitest did not filter on it, and updated as -u=all. Put filters before -u: vitest run ${update} -u`
    : undefined
  return { mode: 'all', ...(note && { note }) }
}
