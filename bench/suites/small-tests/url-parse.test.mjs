import { describe, expect, test } from 'vitest'
import { describeUrl, isAbsoluteUrl } from './src/url.mjs'

const URLS = ['https://example.com', 'https://example.com:8443/a/b?c=1#d', 'http://localhost:3000/', 'https://sub.domain.example.org/path/to/file.json', 'ftp://files.example.com/pub', 'https://example.com/?q=hello%20world', 'https://user:pass@example.com/', 'http://127.0.0.1:8080/health', 'https://example.com/a%2Fb', 'https://xn--nxasmq6b.com/', 'https://example.com/#/route/1', 'http://[::1]:9000/x']

describe('describeUrl', () => {
  test.each(URLS)('%s', (text) => {
    const parts = describeUrl(text)
    expect(parts.protocol).toMatch(/:$/)
    expect(parts.pathname.startsWith('/')).toBe(true)
  })
})
describe('isAbsoluteUrl', () => {
  test.each(URLS)('%s is absolute', text => expect(isAbsoluteUrl(text)).toBe(true))
  test.each(['/a/b', 'a/b', '../up', '//cdn.example.com/x', '?q=1', '#hash', 'mailto:x@example.com', ''])('%s is not', text => expect(isAbsoluteUrl(text)).toBe(false))
})
test('ports are strings', () => expect(describeUrl('https://example.com:444/').port).toBe('444'))
