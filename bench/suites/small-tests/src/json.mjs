export function stableStringify(value) {
  if (Array.isArray(value))
    return `[${value.map(stableStringify).join(',')}]`
  if (value && typeof value === 'object')
    return `{${Object.keys(value).sort().map(k => `${JSON.stringify(k)}:${stableStringify(value[k])}`).join(',')}}`
  return JSON.stringify(value)
}
const isObject = v => v !== null && typeof v === 'object' && !Array.isArray(v)
export function deepMerge(a, b) {
  const out = { ...a }
  for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(a[k]) ? deepMerge(a[k], v) : v
  return out
}
export const getPath = (obj, path) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj)
export function setPath(obj, path, value) {
  const keys = path.split('.')
  const out = structuredClone(obj)
  let cursor = out
  for (const k of keys.slice(0, -1)) cursor = cursor[k] ??= {}
  cursor[keys.at(-1)] = value
  return out
}
export const pick = (obj, keys) => Object.fromEntries(keys.filter(k => k in obj).map(k => [k, obj[k]]))
export const omit = (obj, keys) => Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)))
