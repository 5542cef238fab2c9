export function groupBy(items, keyOf) {
  const groups = new Map()
  for (const item of items) {
    const key = keyOf(item)
    if (!groups.has(key))
      groups.set(key, [])
    groups.get(key).push(item)
  }
  return groups
}
export const countBy = (items, keyOf) => new Map([...groupBy(items, keyOf)].map(([k, v]) => [k, v.length]))
export const chunk = (items, size) => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size))
export function uniqBy(items, keyOf) {
  const seen = new Set()
  return items.filter((item) => {
    const key = keyOf(item)
    return seen.has(key) ? false : (seen.add(key), true)
  })
}
export class LruCache {
  constructor(capacity) {
    this.capacity = capacity
    this.map = new Map()
  }

  get(key) {
    if (!this.map.has(key))
      return undefined
    const value = this.map.get(key)
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  set(key, value) {
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.capacity)
      this.map.delete(this.map.keys().next().value)
  }
}
