import { describe, expect, test } from 'vitest'
import { escapeHtml, slugify } from './src/strings.mjs'

const HTML = [['<b>', '&lt;b&gt;'], ['a & b', 'a &amp; b'], ['"quoted"', '&quot;quoted&quot;'], ['it\'s', 'it&#39;s'], ['plain', 'plain'], ['<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;'], ['1 < 2 > 0', '1 &lt; 2 &gt; 0'], ['&amp;', '&amp;amp;'], ['', ''], ['<<>>', '&lt;&lt;&gt;&gt;']]
const SLUGS = [['Hello World', 'hello-world'], ['Crème Brûlée', 'creme-brulee'], ['  spaces  ', 'spaces'], ['Ünïcödé', 'unicode'], ['a/b/c', 'a-b-c'], ['100% sure', '100-sure'], ['multi   space', 'multi-space'], ['CamelCaseTitle', 'camel-case-title'], ['Déjà vu', 'deja-vu'], ['already-slug', 'already-slug']]

describe('escapeHtml', () => {
  test.each(HTML)('%s', (input, expected) => expect(escapeHtml(input)).toBe(expected))
  for (let n = 1; n <= 8; n++)
    test(`${n}x repeated`, () => expect(escapeHtml('<a>'.repeat(n))).toBe('&lt;a&gt;'.repeat(n)))
})
describe('slugify', () => {
  test.each(SLUGS)('%s', (input, expected) => expect(slugify(input)).toBe(expected))
  for (let n = 1; n <= 8; n++)
    test(`title ${n}`, () => expect(slugify(`Post number ${n}: The Title`)).toBe(`post-number-${n}-the-title`))
})
