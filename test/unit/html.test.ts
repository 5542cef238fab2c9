import { createHash } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { jsonForScript } from '../../src/render/html-page.js'
import { pageIcicle, pageTimeline, type ReportPage, renderHtmlReport } from '../../src/render/html.js'
import { allocationTree } from '../../src/report/allocation-tree.js'
import type { ProfileTree } from '../../src/report/read-allocation-trees.js'
import { hostileProfiledReport, hostileReport, NAMES } from '../helpers/hostile-report.js'
import { sampleProfile } from '../helpers/sample-profile.js'
import { sampleReport } from '../helpers/sample-report.js'

const dataOf = (html: string) => /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(html)![1]!

describe('renderHtmlReport', () => {
  test('embeds the report as data the page script reads: files once, metrics, budgets, changes, timelines', () => {
    const page = JSON.parse(dataOf(renderHtmlReport(sampleReport))) as ReportPage
    expect(page.files).toEqual(['test/a.test.ts', 'test/b.test.ts', 'test/c.test.ts'])
    expect(page.summary).toEqual(sampleReport.summary)
    const over = page.tests.find(t => t.n === 'parser > parses a 1 GB file')!
    expect(over).toMatchObject({ f: 0, v: 'over-budget', b: { total: 100e6 }, o: ['total'], base: null, c: [] })
    expect(page.metrics).toEqual(['total', 'heap', 'external', 'rss', 'native', 'retained', 'allocated'])
    expect(over.m).toEqual([250e6, 62.5e6, 187.5e6, 125e6, 31.25e6, 1_000, 500e6, 1, 12])
    // In MB, three digits of the largest figure (187.5 MB); the 1 kB left at the end rounds to 0.
    expect(over.t).toEqual([1e6, 0, 0, 0, 1, 63, 188, 1, 0, 0, 2, 0, 0])
    expect(page.tests.find(t => t.n === 'crashed worker')).toMatchObject({ v: 'not-measured', m: null, t: null })
  })

  test('links a test\'s heap profiles from the page\'s folder, and no path in a report becomes a scheme', () => {
    const withProfiles = { ...sampleReport, tests: sampleReport.tests.map((t, i) => (i === 0 ? { ...t, heapProfiles: ['reports/profiles/a b.heapprofile', 'javascript:alert(1)'] } : t)) }
    const links = (rootFromPage?: string) => (JSON.parse(dataOf(renderHtmlReport(withProfiles, { rootFromPage }))) as ReportPage).tests[0]!.h
    expect(links('..')).toEqual(['../reports/profiles/a%20b.heapprofile', '../javascript%3Aalert(1)'])
    expect(links()).toEqual(['./reports/profiles/a%20b.heapprofile', './javascript%3Aalert(1)'])
    expect((JSON.parse(dataOf(renderHtmlReport(sampleReport))) as ReportPage).tests.every(t => t.h === undefined)).toBe(true)
  })

  test('carries each profile\'s allocation tree, why one cannot be drawn, or null past the page\'s limit; frames shared', () => {
    const profiled = { ...sampleReport, tests: sampleReport.tests.map((t, i) => (i === 0 ? { ...t, heapProfiles: ['a.heapprofile', 'b.heapprofile', 'c.heapprofile'] } : i === 1 ? { ...t, heapProfiles: ['d.heapprofile'] } : t)) }
    const tree = allocationTree(sampleProfile())
    const profileTrees = new Map<string, ProfileTree>([['a.heapprofile', tree], ['b.heapprofile', { unreadable: 'not JSON' }], ['d.heapprofile', tree]])
    const page = JSON.parse(dataOf(renderHtmlReport(profiled, { profileTrees }))) as ReportPage
    // Six frames, once each for both trees; bytes in kB, five digits of the 50 MB total.
    expect(page.frames).toEqual([['(root)', '', 0], ['runTest', 'index.js', 10], ['keepArrays', 'profiled.test.ts', 4], ['from', '', 0], ['parse', 'profiled.test.ts', 20], ['(garbage collector)', '', 0]])
    const icicle = [1000, 0, 0, 0, 50_000, 1, 1, 0, 48_100, 2, 2, 40_000, 42_000, 3, 3, 2000, 2000, 4, 2, 6000, 6100, 5, 1, 1900, 1900]
    expect(page.tests[0]!.a).toEqual([icicle, 'profile not readable: not JSON', null])
    expect(page.tests[1]!.a).toEqual([icicle])
    expect(page.tests.slice(2).every(t => t.a === undefined)).toBe(true)
    expect(pageIcicle({ total: 0, nodes: [{ functionName: '(root)', file: '', line: 0, depth: 0, self: 0, total: 0 }] }, () => 0)).toEqual([1, 0, 0, 0, 0])
  })

  test('no test or frame name can end the data element or reach the markup: the only tags are the page\'s own', () => {
    const { report, profileTrees } = hostileProfiledReport(NAMES)
    const html = renderHtmlReport(report, { profileTrees })
    const data = dataOf(html)
    expect(data).not.toMatch(/[<>&\u2028\u2029]/)
    const page = JSON.parse(data) as ReportPage
    expect(page.tests.map(t => t.n)).toEqual(hostileReport(NAMES).tests.map(t => t.name))
    expect(new Set(page.frames.map(([name]) => name))).toEqual(new Set([...NAMES, '(root)', 'runTest', 'from', 'parse', '(garbage collector)']))
    expect(html.match(/<\/?[a-z]+/g)!.filter(tag => !['<html', '<head', '<meta', '<title', '</title', '<style', '</style', '</head', '<body', '<main', '<p', '</p', '</main', '<script', '</script', '</body', '</html'].includes(tag))).toEqual([])
  })

  test('the page allows only its own script, by hash, and no request', () => {
    const html = renderHtmlReport(sampleReport)
    const script = /<script>(.*)<\/script>/s.exec(html)![1]!
    const policy = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!
    expect(policy).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`)
    expect(policy).toMatch(/^default-src 'none';/)
  })
})

describe('pageTimeline', () => {
  test('flattens the points and rounds each figure to within 0.5% of the largest, negatives too', () => {
    const timeline: Array<[number, number, number]> = [[0, 0, 0], [1, 123_456_789, 5_432], [1, -98_765, 0], [2, 7, 1]]
    const [unit, ...flat] = pageTimeline(timeline)
    expect(unit).toBe(1e6)
    expect(flat).toStrictEqual([0, 0, 0, 1, 123, 0, 1, 0, 0, 2, 0, 0])
    expect(pageTimeline([[0, 0, 0], [1, 999, 0]])).toEqual([1, 0, 0, 0, 1, 999, 0])
    expect(pageTimeline([[0, 0, 0]])).toEqual([1, 0, 0, 0])
  })
})

describe('jsonForScript', () => {
  test('escapes what could end a script element or break a line, and parses back to the same text', () => {
    const text = '</script><!-- \u2028\u2029 & > "quoted" \\ 🧨'
    expect(jsonForScript({ text })).toBe('{"text":"\\u003c/script\\u003e\\u003c!-- \\u2028\\u2029 \\u0026 \\u003e \\"quoted\\" \\\\ 🧨"}')
    expect(JSON.parse(jsonForScript({ text }))).toEqual({ text })
  })
})
