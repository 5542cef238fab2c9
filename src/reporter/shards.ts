import type { TestModule } from 'vitest/node'
import type { CollectedTest, ReportEnvironment } from '../report/model.js'

/** What the plugin adds to a test module's `task.meta` in a run that writes a blob. */
interface ShardModuleMeta {
  memoryEnvironment?: ReportEnvironment
}

const metaOf = (module: TestModule) => module.meta() as ShardModuleMeta

/**
 * Puts where a blob's tests were measured into its modules' meta, which the blob carries to
 * `vitest --merge-reports`: the merge job's own Node says nothing about the figures.
 */
export function stampEnvironment(modules: ReadonlyArray<TestModule>, environment: ReportEnvironment): void {
  for (const module of modules) metaOf(module).memoryEnvironment = environment
}

const describe = (environment: ReportEnvironment) => `Node ${environment.node} (V8 ${environment.v8 ?? '?'}), Vitest ${environment.vitest}, ${environment.platform}-${environment.arch}`

export interface ShardEnvironment {
  environment: ReportEnvironment
  /** Set when the blobs come from more than one environment: their figures do not compare with each other. */
  mixed?: string
}

/**
 * The environment the merged blobs were measured in, or undefined when none carries one (blobs
 * of a plugin version before it was recorded, or a run that merged nothing).
 */
export function environmentOfShards(modules: ReadonlyArray<TestModule>): ShardEnvironment | undefined {
  const found = new Map<string, ReportEnvironment>()
  for (const module of modules) {
    const environment = metaOf(module).memoryEnvironment
    if (environment)
      found.set(JSON.stringify(environment), environment)
  }
  const [first, ...others] = found.values()
  if (!first)
    return undefined
  return others.length === 0
    ? { environment: first }
    : { environment: first, mixed: `The merged blobs were measured in ${found.size} environments (${[first, ...others].map(describe).join('; ')}): their figures do not compare with each other, and the report names the first.` }
}

/**
 * Tests that came more than once: blobs that overlap (a shard's blob uploaded twice, or one left from an
 * earlier run in the folder). Vitest's test ids are unique within a run and the same in its shards.
 */
export function overlappingTests(tests: readonly CollectedTest[]): CollectedTest[] {
  const seen = new Set<string>()
  return tests.filter(test => seen.has(test.id) || !seen.add(test.id))
}
