export function parseQuery(query) {
  const result = {}
  for (const [key, value] of new URLSearchParams(query)) {
    if (key in result)
      result[key] = [].concat(result[key], value)
    else
      result[key] = value
  }
  return result
}
export function buildUrl(base, path, query = {}) {
  const url = new URL(path, base)
  for (const [key, value] of Object.entries(query)) {
    for (const v of [].concat(value)) url.searchParams.append(key, String(v))
  }
  return url.toString()
}
export function normalizePath(path) {
  const out = []
  for (const part of path.split('/')) {
    if (part === '..')
      out.pop()
    else if (part && part !== '.')
      out.push(part)
  }
  return `/${out.join('/')}${path.endsWith('/') && out.length ? '/' : ''}`
}
export const isAbsoluteUrl = text => /^[a-z][a-z\d+\-.]*:\/\//i.test(text)
export function describeUrl(text) {
  const { protocol, hostname, port, pathname, search, hash } = new URL(text)
  return { protocol, hostname, port, pathname, search, hash }
}
