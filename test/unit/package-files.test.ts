import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

// Issue 26, items 13 and 22: the README on the registry and in node_modules is read beside the
// packed files only. Its pictures must be among them, and so must the workflows it offers to copy.
const root = fileURLToPath(new URL('../..', import.meta.url))

// The Vitest 5 run copies the sources without the README: packing is not a matter of the Vitest major.
test.runIf(existsSync(`${root}/README.md`))('the README\'s pictures and the example workflows are in the package', () => {
  // Without scripts: the list of what `files` takes in, not a build (dist/ is the e2e test's).
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ files: Array<{ path: string }> }>
  const packed = pack!.files.map(file => file.path)
  const readme = readFileSync(new URL('README.md', `file://${root}/`), 'utf8')
  const pictures = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map(match => match[1]!).filter(path => !/^https?:/.test(path))
  expect(pictures.length).toBeGreaterThan(0)
  expect(pictures.filter(path => !packed.includes(path))).toEqual([])
  expect(packed).toEqual(expect.arrayContaining(['examples/github-actions/memory.yml', 'examples/github-actions/memory-comment.yml']))
})
