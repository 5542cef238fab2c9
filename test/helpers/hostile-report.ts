import { resolveRegressionRules } from '../../src/compare/rules.js'
import { allocationTree, type AllocationTree } from '../../src/report/allocation-tree.js'
import { testKey } from '../../src/report/files.js'
import { buildReport, type CollectedTest, compareReport, type MemoryReport } from '../../src/report/model.js'
import { sampleProfile } from './sample-profile.js'
import { environment, memory } from './sample-report.js'

const MB = 1e6

/** Test names with every kind of character a renderer could trip over, or a reader be fooled by. */
export const NAMES = [
  'pipe | in | the | name',
  'markdown *bold* _em_ [link](https://evil.example) (paren) # heading > quote ~~strike~~ \\ `tick`',
  'fence ```js\nalert(1)\n```',
  'html <script>alert(1)</script> <img src=x onerror=alert(1)>',
  'comment <!-- hidden --> and entity &amp; &lt;b&gt; &#124;',
  'newline\nsecond line',
  'carriage\rreturn and crlf\r\nthird',
  '::error file=x,line=1::forged annotation',
  '::set-output name=x::y',
  'encoded %0A newline %25 percent %0D %3A %2C',
  'comma, colon: and both,:',
  '100% done',
  '@octocat and @github/security please look',
  'emoji 🧨 family 👩‍👩‍👧 flag 🇫🇷',
  'RTL עברית العربية and an override \u202Etxt.exe',
  'zero\u200Bwidth\u200Cnon\u200Djoiner\uFEFFbom\u2060joiner',
  'escape \u001B[31mred\u001B[0m bell \u0007 nul \u0000 del \u007F c1 \u009B',
  'tab\there and a form feed \f and a vertical tab \v',
  'line separator\u2028paragraph\u2029end',
  'lone surrogate \uD800 here',
  'trailing backslash \\',
  '',
  '__proto__',
  'constructor',
  `very long ${'name '.repeat(4000)}`,
]

/** Each name in its own file, with a file name as hostile as the test names. */
export const FILE = 'test/a,b:c|d <e> @f #g.test.ts'

const budget = { limits: { total: { bytes: 100 * MB, family: 'si' as const, pattern: '** > *|*' } }, patterns: ['** > *|*'] }

/**
 * A report where every name shows up in every section: the even ones over budget, all of them
 * regressed against a baseline, and one crashed.
 */
export function hostileReport(names: readonly string[]): MemoryReport {
  const tests: CollectedTest[] = names.map((name, i) => ({
    id: `t-${i}`,
    project: '',
    file: FILE,
    name,
    line: i + 1,
    state: i % 2 ? 'passed' : 'failed',
    memory: memory((i + 2) * 10 * MB, i % 2 ? { budget } : { budget, violations: [{ metric: 'total', value: (i + 2) * 10 * MB, limit: budget.limits.total }] }),
  }))
  tests.push({ id: 'crashed', project: '', file: FILE, name: names[0]!, line: 999, state: 'failed', memory: undefined, crash: { heap: MB, external: 0, rss: 2 * MB, heapLimit: 4e9, v8HeapLimit: 4e9 } })
  const report = buildReport(tests, environment, ['** > *|*', 'typo\n<!-- x --> @y'], new Date('2026-11-23T12:00:00Z'))
  const base = Object.fromEntries(tests.map(t => [testKey(t), { total: MB, heap: MB, external: MB, rss: MB, retained: 0, allocated: MB }]))
  return compareReport(report, base, testKey, resolveRegressionRules(undefined))
}

/** The report of {@link hostileReport} with a heap profile per test, whose frames carry the names too. */
export function hostileProfiledReport(names: readonly string[]): { report: MemoryReport, profileTrees: Map<string, AllocationTree> } {
  const report = hostileReport(names)
  const profileTrees = new Map<string, AllocationTree>()
  report.tests.forEach((test, i) => {
    const path = `reports/profiles/${i}.heapprofile`
    test.heapProfiles = [path]
    profileTrees.set(path, allocationTree(sampleProfile({ keep: test.name, file: test.name })))
  })
  return { report, profileTrees }
}
