import { execFileSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'

// The README promises users that the two example workflows are safe to copy for pull requests from
// forks. These are the promises, checked on the files as GitHub would read them.

interface Step { 'name'?: string, 'uses'?: string, 'run'?: string, 'with'?: Record<string, unknown>, 'if'?: string, 'working-directory'?: string }
interface Job { permissions?: Record<string, string> | string, steps: Step[], if?: string }
interface Workflow { name: string, on: Record<string, unknown>, permissions?: Record<string, string> | string, jobs: Record<string, Job> }

const folder = new URL('../../examples/github-actions/', import.meta.url)
const read = (file: string): Workflow => parse(readFileSync(new URL(file, folder), 'utf8'), { prettyErrors: true, strict: true, uniqueKeys: true }) as Workflow
const measure = read('memory.yml')
const comment = read('memory-comment.yml')
const steps = (workflow: Workflow) => Object.values(workflow.jobs).flatMap(job => job.steps)
/** Every scope granted anywhere in the workflow, top level and per job, as `scope: level`. */
function grants(workflow: Workflow): string[] {
  // A job without a block inherits the top level's; a workflow without one gets the repository's
  // default token, which may be write-all.
  return [workflow.permissions ?? 'repository default', ...Object.values(workflow.jobs).map(job => job.permissions)].flatMap((permissions) => {
    if (permissions === undefined)
      return []
    if (typeof permissions === 'string')
      return [`(${permissions})`]
    return Object.entries(permissions).map(([scope, level]) => `${scope}: ${level}`)
  })
}

describe('the example workflows', () => {
  test('are the two the README describes, and parse as YAML', () => {
    expect(readdirSync(folder).sort()).toEqual(['memory-comment.yml', 'memory.yml'])
    expect(measure.name).toBe('memory')
    expect(Object.keys(comment.jobs)).toEqual(['comment'])
  })

  test('never use pull_request_target', () => {
    for (const file of ['memory.yml', 'memory-comment.yml']) {
      expect(Object.keys(read(file).on)).not.toContain('pull_request_target')
      expect(readFileSync(new URL(file, folder), 'utf8')).not.toMatch(/pull_request_target/)
    }
  })

  test('the one that runs the pull request\'s code runs on pull_request, reads only, and sees no secret', () => {
    expect(Object.keys(measure.on)).toEqual(['pull_request'])
    expect(grants(measure)).toEqual(['contents: read'])
    expect(Object.values(measure.jobs).every(job => job.permissions === undefined)).toBe(true)
    expect(readFileSync(new URL('memory.yml', folder), 'utf8')).not.toMatch(/secrets\./)
  })

  test('the one that comments has no permission at the top and only what commenting needs in its job', () => {
    expect(comment.permissions).toEqual({})
    expect(comment.jobs.comment!.permissions).toEqual({ 'actions': 'read', 'pull-requests': 'write' })
    expect(comment.on).toEqual({ workflow_run: { workflows: [measure.name], types: ['completed'] } })
    expect(comment.jobs.comment!.if).toBe('github.event.workflow_run.event == \'pull_request\'')
    // It treats the artifact as data: nothing of the pull request is checked out or run.
    expect(steps(comment).map(step => step.uses)).toEqual(['actions/download-artifact@v4', 'actions/github-script@v7'])
    expect(steps(comment).some(step => step.run !== undefined)).toBe(false)
  })

  test('no shell step expands text a pull request author controls', () => {
    // `${{ }}` is pasted into the script before the shell parses it: a title or branch name would be code.
    const expressions = steps(measure).flatMap(step => [...(step.run ?? '').matchAll(/\$\{\{(.*?)\}\}/g)].map(match => match[1]!.trim()))
    expect(expressions).toEqual(['github.event.pull_request.number'])
  })

  test('the artifact uploaded is the one downloaded, with the files the commenter reads', () => {
    const upload = steps(measure).find(step => step.uses?.startsWith('actions/upload-artifact@'))!
    const download = steps(comment).find(step => step.uses?.startsWith('actions/download-artifact@'))!
    expect(download.with!.name).toBe(upload.with!.name)
    const script = String(steps(comment).find(step => step.uses?.startsWith('actions/github-script@'))!.with!.script)
    for (const file of ['pr-number.txt', 'comment.md']) {
      expect(script).toContain(`'${file}'`)
      expect(steps(measure).some(step => step.run?.includes(`../comment/${file}`))).toBe(true)
    }
  })
})

/**
 * Runs a step's shell command as the runner would, with GitHub's variables set, and `npm` and `npx`
 * replaced by scripts that record the environment `npx` (here, Vitest) gets. Returns that environment.
 */
function environmentOfVitest(step: Step): Record<string, string> {
  const folder = mkdtempSync(join(tmpdir(), 'workflow-step-'))
  const record = join(folder, 'npx-environment')
  writeFileSync(join(folder, 'npm'), '#!/bin/sh\nexit 0\n')
  writeFileSync(join(folder, 'npx'), `#!/bin/sh\nenv > '${record}'\n`)
  chmodSync(join(folder, 'npm'), 0o755)
  chmodSync(join(folder, 'npx'), 0o755)
  execFileSync('bash', ['-e', '-c', step.run!], {
    cwd: folder,
    env: { PATH: `${folder}:${process.env.PATH}`, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(folder, 'summary.md') },
  })
  return Object.fromEntries(readFileSync(record, 'utf8').trim().split('\n').map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]))
}

/** Whether Node `major` (its latest release, as setup-node installs it) is in an `engines.node` range of `^x.y.z` and `>=x.y.z` clauses. */
function majorSatisfies(major: number, range: string): boolean {
  return range.split('||').some((clause) => {
    const match = /^\s*(\^|>=)\s*(\d+)\.\d+\.\d+\s*$/.exec(clause)
    if (!match)
      throw new Error(`engines clause not understood: ${clause}`)
    return match[1] === '^' ? Number(match[2]) === major : major >= Number(match[2])
  })
}

describe('the measuring workflow', () => {
  const step = (name: string) => steps(measure).find(s => s.name === name)!

  test('measures the base without GitHub\'s variables, so only the pull request annotates and writes the job summary', () => {
    const base = environmentOfVitest(step('Measure the base branch'))
    expect(base.GITHUB_ACTIONS).toBeUndefined()
    expect(base.GITHUB_STEP_SUMMARY).toBeUndefined()
    const head = environmentOfVitest(step('Measure the pull request'))
    expect(head.GITHUB_ACTIONS).toBe('true')
    expect(head.GITHUB_STEP_SUMMARY).toBeDefined()
  })

  test('sets up a Node that every supported Vitest major runs on', () => {
    const nodeVersion = steps(measure).find(s => s.uses?.startsWith('actions/setup-node@'))!.with!['node-version']
    expect(nodeVersion).toEqual(expect.any(Number))
    // The Vitest this suite runs with, and Vitest 5 where it is installed beside Vitest 4.
    const manifests = [
      createRequire(import.meta.url).resolve('vitest/package.json'),
      fileURLToPath(new URL('../../compat/vitest5/node_modules/vitest/package.json', import.meta.url)),
    ].filter(path => { try { return Boolean(readFileSync(path)) } catch { return false } })
    for (const manifest of manifests) {
      const { version, engines } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string, engines: { node: string } }
      expect(majorSatisfies(nodeVersion as number, engines.node), `Node ${nodeVersion} for Vitest ${version} (${engines.node})`).toBe(true)
    }
  })

  test('with no base report, writes the pull request\'s report as it is, not compared with itself', () => {
    const compare = step('Compare').run!
    const [, withBase, withoutBase] = /if \[ -f \.\.\/base\/reports\/memory\.json \]; then\n(.*?)\n\s*else\n(.*?)\n\s*fi/s.exec(compare)!
    expect(withBase!.trim()).toBe('npx vitest-memory-budget compare ../base/reports/memory.json reports/memory.json --markdown ../comment/comment.md')
    expect(withoutBase!.trim()).toBe('npx vitest-memory-budget markdown reports/memory.json -o ../comment/comment.md')
  })

  test('uploads the pull request\'s reports/ with the page, so its heap profiles are not lost', () => {
    const report = steps(measure).find(s => s.uses?.startsWith('actions/upload-artifact@') && s.with!.name === 'memory-report')!
    expect(String(report.with!.path).split('\n').map(line => line.trim()).filter(Boolean)).toEqual(['memory-report/', 'head/reports/'])
    expect(step('Measure the pull request')['working-directory']).toBe('head')
  })
})
