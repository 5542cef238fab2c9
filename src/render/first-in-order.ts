/**
 * The first `count` of `items` in `compare`'s order, exactly as a (stable) sort would put them,
 * without sorting them all: the terminal shows ten of 10,000 tests.
 */
export function firstInOrder<T>(items: readonly T[], count: number, compare: (a: T, b: T) => number): T[] {
  const kept: T[] = []
  if (count <= 0)
    return kept
  for (const item of items) {
    // Not ahead of the last one kept: a later item that ties also goes after it.
    if (kept.length === count && compare(item, kept[count - 1]!) >= 0)
      continue
    let low = 0
    let high = kept.length
    while (low < high) {
      const middle = (low + high) >> 1
      if (compare(kept[middle]!, item) <= 0)
        low = middle + 1
      else
        high = middle
    }
    kept.splice(low, 0, item)
    if (kept.length > count)
      kept.pop()
  }
  return kept
}
