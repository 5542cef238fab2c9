/** `list` with each of `additions` it lacks appended, in order: options the user set stay first and are not repeated. */
export function withAll(list: readonly string[] | undefined, additions: readonly string[]): string[] {
  const result = [...(list ?? [])]
  for (const item of additions) {
    if (!result.includes(item))
      result.push(item)
  }
  return result
}
