import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, test } from 'vitest'
import { renderJsonReport } from '../../src/render/json.js'
import { renderTerminalSummary } from '../../src/render/terminal.js'
import { sampleReport } from '../helpers/sample-report.js'

const schema = JSON.parse(readFileSync(new URL('../../schema/memory-report.v1.schema.json', import.meta.url), 'utf8'))

describe('buildReport', () => {
  test('sorts tests by project, file and line, and gives each a verdict', () => {
    expect(sampleReport.tests.map(t => [t.file, t.line, t.verdict])).toEqual([
      ['test/a.test.ts', 4, 'within-budget'],
      ['test/a.test.ts', 10, 'over-budget'],
      ['test/b.test.ts', 3, 'within-budget'],
      ['test/c.test.ts', 2, 'not-attributable'],
      ['test/c.test.ts', 9, 'not-measured'],
    ])
    expect(sampleReport.tests[1]).toMatchObject({
      budget: { total: { bytes: 100e6, pattern: '**' } },
      violations: [{ metric: 'total', value: 250e6, limit: 100e6, pattern: '**' }],
      metrics: { total: 250e6, allocated: 500e6 },
    })
    expect(sampleReport.tests[3]).toMatchObject({ metrics: null, budget: {}, violations: [] })
  })

  test('summarizes, and names budget patterns that matched no test', () => {
    expect(sampleReport.summary).toEqual({ tests: 5, measured: 3, overBudget: 1, notAttributable: 1, notMeasured: 1, crashed: 0, unmatchedPatterns: ['test/parsr/**'], unmeasuredProjects: [], compared: false, regressed: 0, improved: 0 })
  })
})

describe('renderTerminalSummary', () => {
  test('shows the heaviest tests, every violation and unmatched patterns', () => {
    expect(renderTerminalSummary(sampleReport, { top: 2 })).toBe(`\
 Memory  3 tests measured · 1 over budget · 1 concurrent, not attributable · 1 not measured

   total     heap  external     rss    native  retained  allocated  test
  250 MB  62.5 MB  187.5 MB  125 MB  31.25 MB      1 kB     500 MB  test/a.test.ts > parser > parses a 1 GB file
   40 MB    10 MB     30 MB   20 MB      5 MB      1 kB      80 MB  test/a.test.ts > parser > reads a header
  … and 1 lighter test (memoryBudget({ top }) shows more)

 Over budget (1)
  ✗ test/a.test.ts > parser > parses a 1 GB file: total 250 MB > 100 MB ("**")

 The budgets of 1 test were not held ("**" on 1): it ran side by side with other tests (test.concurrent), so no figure is its own. Run it without .concurrent to hold it.

 Budget pattern that matched no test: "test/parsr/**"`)
  })

  test('lists the ten tests furthest over budget, and how many more there are', () => {
    const over = sampleReport.tests.find(t => t.violations.length > 0)!
    const tests = Array.from({ length: 15 }, (_, i) => ({ ...over, id: `o${i}`, name: `over ${i}`, violations: [{ ...over.violations[0]!, value: (101 + i) * 1e6 }] }))
    const text = renderTerminalSummary({ ...sampleReport, tests }, { top: 0 })
    const listed = text.split('\n').filter(line => line.startsWith('  ✗')).map(line => /over (\d+)/.exec(line)![1])
    expect(listed).toEqual(['14', '13', '12', '11', '10', '9', '8', '7', '6', '5'])
    expect(text).toContain(' Over budget (15)')
    expect(text).toContain('  … and 5 more (the JSON report lists every one)')
  })

  test('says when Vitest passed a test over budget, which fails the run', () => {
    const passed = { ...sampleReport, tests: sampleReport.tests.map(t => (t.violations.length > 0 ? { ...t, state: 'passed' as const } : t)) }
    expect(renderTerminalSummary(passed, { top: 0 })).toContain('parses a 1 GB file: total 250 MB > 100 MB ("**") (Vitest passed it; its budget fails the run)')
  })

  test('top: 0 leaves only the counts and the violations', () => {
    const text = renderTerminalSummary(sampleReport, { top: 0 })
    expect(text).not.toContain('allocated')
    expect(text).toContain('Over budget (1)')
  })

  test('names the heap profile of a test over budget, its name escaped', () => {
    const profiled = { ...sampleReport, tests: sampleReport.tests.map(t => (t.violations.length > 0 ? { ...t, heapProfiles: ['reports/profiles/a\n\u001B[31m.heapprofile'] } : t)) }
    expect(renderTerminalSummary(profiled, { top: 0 })).toContain('  ✗ test/a.test.ts > parser > parses a 1 GB file: total 250 MB > 100 MB ("**") (heap profile: reports/profiles/a\\n\\u001b[31m.heapprofile)')
  })

  test('names the project when there are several', () => {
    const twoProjects = { ...sampleReport, tests: sampleReport.tests.map((t, i) => ({ ...t, project: i % 2 ? 'node' : 'edge' })) }
    expect(renderTerminalSummary(twoProjects, { top: 1 })).toContain('[node] test/a.test.ts > parser > parses a 1 GB file')
  })
})

describe('JSON report', () => {
  test('matches the JSON Schema shipped with the package', () => {
    const validate = new Ajv2020({ allErrors: true, strict: true, validateFormats: false }).compile(schema)
    const parsed = JSON.parse(renderJsonReport(sampleReport))
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true)
    expect(parsed).toEqual(sampleReport)
  })

  test('the schema rejects what readers would trip over', () => {
    const validate = new Ajv2020({ strict: true, validateFormats: false }).compile(schema)
    expect(validate({ ...sampleReport, schemaVersion: 2 })).toBe(false)
    expect(validate({ ...sampleReport, tests: [{ ...sampleReport.tests[0], verdict: 'fine' }] })).toBe(false)
  })

  test('is two-space indented with a final newline, so it diffs line by line', () => {
    const text = renderJsonReport(sampleReport)
    expect(text.endsWith('}\n')).toBe(true)
    expect(text.split('\n')[1]).toBe('  "schemaVersion": 1,')
  })
})
