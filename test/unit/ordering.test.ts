import { describe, expect, test } from 'vitest'
import { firstInOrder } from '../../src/render/first-in-order.js'
import { sortByLocation } from '../../src/report/order.js'
import type { ReportTest } from '../../src/report/model.js'
import { random } from '../helpers/fuzz.js'
import { sampleReport } from '../helpers/sample-report.js'

// Texts the collator orders differently from code units: case, accents, punctuation, digits, ß.
const TEXTS = ['Zeta', 'zeta', 'éclair', 'eclair', 'Éclair', 'e\u0301clair', 'a_b', 'a-b', 'a b', 'A', '10', '9', 'ß', 'ss', '']

function tests(count: number, seed: number): ReportTest[] {
  const next = random(seed)
  const pick = () => TEXTS[Math.floor(next() * TEXTS.length)]!
  return Array.from({ length: count }, (_, i) => ({
    ...sampleReport.tests[0]!,
    id: `t${i}`,
    project: pick(),
    file: `${pick()}/${pick()}.test.ts`,
    name: `${pick()} > ${pick()}`,
    line: next() < 0.2 ? null : Math.floor(next() * 4),
  }))
}

describe('sortByLocation', () => {
  test('gives the order of comparing project and file with localeCompare, then line, keeping the given order on ties', () => {
    for (const seed of [1, 2, 3]) {
      const given = tests(2_000, seed)
      const expected = [...given].sort((a, b) => a.project.localeCompare(b.project) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0))
      expect(sortByLocation(given).map(t => t.id)).toEqual(expected.map(t => t.id))
    }
  })

  test('tests of one line keep the order Vitest collected them in: case 2 before case 10', () => {
    const cases = [0, 1, 2, 10, 11].map(i => ({ ...sampleReport.tests[0]!, id: `t${i}`, name: `case ${i}`, line: 9 }))
    expect(sortByLocation([...cases]).map(t => t.name)).toEqual(cases.map(t => t.name))
  })
})

describe('firstInOrder', () => {
  test('gives what a stable sort then a slice gives, ties included, for any count', () => {
    const next = random(7)
    // Few distinct keys: many ties, which a stable sort keeps in their given order.
    const items = Array.from({ length: 500 }, (_, i) => ({ i, key: Math.floor(next() * 20) }))
    const compare = (a: { key: number }, b: { key: number }) => b.key - a.key
    for (const count of [-1, 0, 1, 2, 10, 499, 500, 600])
      expect(firstInOrder(items, count, compare)).toEqual([...items].sort(compare).slice(0, Math.max(0, count)))
  })
})
