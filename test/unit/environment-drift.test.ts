import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { environmentDrift, failsOnRegression } from '../../src/compare/environment.js'
import { resolveRegressionRules } from '../../src/compare/rules.js'
import { readReport, testKey } from '../../src/report/files.js'
import { compareReport, type ReportEnvironment } from '../../src/report/model.js'
import { renderAnnotations } from '../../src/render/github.js'
import { renderMarkdownReport } from '../../src/render/markdown.js'
import { renderTerminalSummary } from '../../src/render/terminal.js'
import { environment, sampleReport } from '../helpers/sample-report.js'

const node22: ReportEnvironment = { ...environment, node: 'v22.12.0', v8: '12.4.254.21-node.33' }
const node24: ReportEnvironment = { ...environment, node: 'v24.1.0', v8: '13.6.233.10-node.24' }

describe('environment drift', () => {
  test('nothing differs, or the base records no environment: no drift', () => {
    expect(environmentDrift(node22, { ...node22 }, false)).toBeUndefined()
    expect(environmentDrift(undefined, node22, false)).toBeUndefined()
  })

  test('another V8 major is incomparable, and its regressions count only across environments', () => {
    const drift = environmentDrift(node22, node24, false)
    expect(drift).toEqual({
      differences: [
        { field: 'node', base: 'v22.12.0', head: 'v24.1.0' },
        { field: 'v8', base: '12.4.254.21-node.33', head: '13.6.233.10-node.24' },
      ],
      incomparable: true,
      regressionsCount: false,
    })
    expect(environmentDrift(node22, node24, true)?.regressionsCount).toBe(true)
  })

  test('another V8 minor, Node patch, Vitest or platform is reported but compared as usual', () => {
    const drift = environmentDrift(node22, { ...node22, node: 'v22.13.1', v8: '12.9.202.28-node.13', vitest: '5.1.0' }, false)
    expect(drift?.differences.map(d => d.field)).toEqual(['node', 'v8', 'vitest'])
    expect(drift).toMatchObject({ incomparable: false, regressionsCount: true })
  })

  test('another platform or architecture is reported field by field, base then head, and compared as usual', () => {
    const drift = environmentDrift(node22, { ...node22, platform: 'darwin', arch: 'arm64' }, false)
    expect(drift).toEqual({
      differences: [
        { field: 'platform', base: 'linux', head: 'darwin' },
        { field: 'arch', base: 'x64', head: 'arm64' },
      ],
      incomparable: false,
      regressionsCount: true,
    })
    expect(environmentDrift(node22, { ...node22, arch: 'arm64' }, false)?.differences).toEqual([{ field: 'arch', base: 'x64', head: 'arm64' }])
  })

  test('a head without a V8 version (read from an older report) is compared by its Node major too', () => {
    const { v8: _, ...older } = node24
    expect(environmentDrift(node22, older, false)).toMatchObject({ incomparable: true, differences: [{ field: 'node', base: 'v22.12.0', head: 'v24.1.0' }] })
    expect(environmentDrift(node22, { ...older, node: 'v22.20.0' }, false)).toMatchObject({ incomparable: false, differences: [{ field: 'node' }] })
  })

  test('other worker flags are incomparable; the same flags in another order are not a difference', () => {
    const flags = ['--expose-gc', '--single-threaded', '--max-semi-space-size=16']
    expect(environmentDrift({ ...node22, workerFlags: flags }, { ...node22, workerFlags: [...flags].reverse() }, false)).toBeUndefined()
    const drift = environmentDrift({ ...node22, workerFlags: flags }, { ...node22, workerFlags: ['--expose-gc'] }, false)
    expect(drift).toMatchObject({ incomparable: true, regressionsCount: false, differences: [{ field: 'workerFlags', base: '--expose-gc --max-semi-space-size=16 --single-threaded', head: '--expose-gc' }] })
  })

  test('with V8 recorded on both sides, the V8 major decides, not the Node major', () => {
    // Node 23 shipped V8 12.9, the major of Node 22's 12.4: comparable, though Node's major moved.
    expect(environmentDrift(node22, { ...node22, node: 'v23.0.0', v8: '12.9.202.26-node.16' }, false)).toMatchObject({ incomparable: false })
  })

  test('other worker flags make a drift incomparable even beside a difference that alone would not', () => {
    expect(environmentDrift(node22, { ...node22, node: 'v22.13.1', workerFlags: ['--expose-gc'] }, false)).toMatchObject({ incomparable: true, regressionsCount: false })
  })

  test('a report written before V8 was recorded is read, and compared by its Node major', () => {
    const { v8: _, ...older } = environment
    const path = join(mkdtempSync(join(tmpdir(), 'drift-')), 'old.json')
    writeFileSync(path, JSON.stringify({ ...sampleReport, environment: older }))
    const old = readReport(path)
    expect(old.environment.v8).toBeUndefined()
    expect(environmentDrift(old.environment, node24, false)).toMatchObject({ incomparable: true, differences: [{ field: 'node', base: 'v20.20.2', head: 'v24.1.0' }] })
  })

  test('a side without a V8 version (an older report) falls back to the Node major', () => {
    const { v8: _, ...older } = node22
    expect(environmentDrift(older, node24, false)).toMatchObject({ incomparable: true, differences: [{ field: 'node' }] })
    expect(environmentDrift(older, { ...node22, node: 'v22.20.0' }, false)).toMatchObject({ incomparable: false })
  })

  test('failOnRegression fails on counted regressions only', () => {
    const drift = environmentDrift(node22, node24, false)!
    expect(failsOnRegression({ regressed: 2 }, true)).toBe(true)
    expect(failsOnRegression({ regressed: 2 }, false)).toBe(false)
    expect(failsOnRegression({ regressed: 0, environmentDrift: { ...drift, regressionsCount: true } }, true)).toBe(false)
    expect(failsOnRegression({ regressed: 2, environmentDrift: drift }, true)).toBe(false)
    expect(failsOnRegression({ regressed: 2, environmentDrift: { ...drift, regressionsCount: true } }, true)).toBe(true)
  })
})

describe('a comparison across V8 majors, in every format', () => {
  // The heavy test's base was 50 MB lighter: one regression, measured on V8 12 against this run's V8 11.
  const heavy = 'test/a.test.ts > parser > parses a 1 GB file'
  const base = { [heavy]: { total: 200e6, heap: 62.5e6, external: 187.5e6, rss: 125e6, retained: 1000, allocated: 500e6 } }
  const compared = (acrossEnvironments: boolean) => compareReport(sampleReport, base, testKey, resolveRegressionRules({ acrossEnvironments }), node22)

  test('the summary holds the drift and the regression, which does not count', () => {
    const { summary } = compared(false)
    expect(summary.regressed).toBe(1)
    expect(summary.environmentDrift).toMatchObject({ incomparable: true, regressionsCount: false })
    expect(failsOnRegression(summary, true)).toBe(false)
    expect(failsOnRegression(compared(true).summary, true)).toBe(true)
  })

  test('terminal: a warning naming both versions, and the regression marked as not counted', () => {
    const text = renderTerminalSummary(compared(false), { top: 0, comparedWith: 'memory-baseline.json' })
    expect(text).toContain(' ⚠ Compared with figures from another V8 major or other worker flags (Node v22.12.0 → v20.20.2, V8 12.4.254.21-node.33 → 11.3.244.8-node.33): memory moves between them without any change to the code, so regressions are shown but not counted for failOnRegression')
    expect(text).toContain('1 regressed (not counted: another environment)')
    expect(text).toContain('Regressed (1) against memory-baseline.json, not counted: measured in another environment')
    const counted = renderTerminalSummary(compared(true), { top: 0 })
    expect(counted).toContain('so regressions still count (acrossEnvironments is on)')
    expect(counted).not.toContain('not counted')
  })

  test('Markdown: a warning block under the summary line', () => {
    const lines = renderMarkdownReport(compared(false)).split('\n')
    expect(lines[2]).toBe('**Memory:** 3 tests measured · 1 over budget · 1 regressed (not counted: another environment) · 0 improved')
    expect(lines[4]).toBe('> [!WARNING]')
    expect(lines[5]).toMatch(/^> Compared with figures from another V8 major or other worker flags &#40;Node v22\.12\.0 → v20\.20\.2, V8 12\.4\.254\.21-node\.33 → 11\.3\.244\.8-node\.33&#41;&#58; memory moves/)
  })

  test('GitHub: one warning for the run, and the regression as a notice', () => {
    const lines = renderAnnotations(compared(false))
    expect(lines[0]).toMatch(/^::warning title=Memory compared across environments::Compared with figures from another V8 major .*V8 12\.4\.254\.21-node\.33 → 11\.3\.244\.8-node\.33/)
    expect(lines.filter(line => line.startsWith('::notice file=test/a.test.ts,line=10,title=Memory change across environments (not counted)::parser > parses a 1 GB file: total 200 MB -> 250 MB'))).toHaveLength(1)
    expect(lines.some(line => line.includes('title=Memory regression'))).toBe(false)
    const counted = renderAnnotations(compared(true))
    expect(counted.some(line => line.startsWith('::warning file=test/a.test.ts,line=10,title=Memory regression::'))).toBe(true)
  })

  test('JSON: the drift is in the summary, so a workflow can read it', () => {
    expect(JSON.parse(JSON.stringify(compared(false))).summary.environmentDrift.differences).toContainEqual({ field: 'v8', base: '12.4.254.21-node.33', head: '11.3.244.8-node.33' })
  })
})
