import { describe, expect, test } from 'vitest'
import { groupBy } from './src/collections.mjs'
import { stableStringify } from './src/json.mjs'
import { slugify } from './src/strings.mjs'
import { buildUrl, parseQuery } from './src/url.mjs'

const ARTICLES = Array.from({ length: 60 }, (_, i) => ({ title: `Article ${i}: Notes on Topic ${i % 7}`, topic: i % 7, words: 100 + i * 13 }))

describe('an index page built from articles', () => {
  for (let topic = 0; topic < 7; topic++) {
    test(`topic ${topic} links`, () => {
      const byTopic = groupBy(ARTICLES, a => a.topic)
      const links = byTopic.get(topic).map(a => buildUrl('https://blog.example.com/', `/posts/${slugify(a.title)}`, { ref: 'index' }))
      expect(links.every(link => parseQuery(new URL(link).search).ref === 'index')).toBe(true)
    })
  }
  for (let page = 1; page <= 30; page++) {
    test(`page ${page} is stable`, () => {
      const slice = ARTICLES.slice((page - 1) * 2, page * 2).map(a => ({ slug: slugify(a.title), words: a.words }))
      expect(stableStringify(slice)).toBe(stableStringify(JSON.parse(JSON.stringify(slice))))
    })
  }
})
