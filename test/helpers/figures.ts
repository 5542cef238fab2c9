import { expect } from 'vitest'
import type { TestMemory } from '../../src/index.js'

/**
 * The relations every record's figures hold, so that no figure on a line contradicts another: the
 * peak of heap + external is at least each of its parts' peaks and at most their sum, what a test
 * kept was there at its end (which the peak covers), and a peak was allocated first.
 */
export function expectConsistentFigures(record: TestMemory, name: string): void {
  const figures = `${name}: ${JSON.stringify({ total: record.total, heap: record.heap, external: record.external, retained: record.retained, allocated: record.allocated })}`
  expect(record.heap, figures).toBeLessThanOrEqual(record.total)
  expect(record.external, figures).toBeLessThanOrEqual(record.total)
  expect(record.total, figures).toBeLessThanOrEqual(record.heap + record.external)
  expect(record.retained, figures).toBeLessThanOrEqual(record.total)
  expect(record.total, figures).toBeLessThanOrEqual(record.allocated)
}
