import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
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
 * Runs a step's shell command as the runner would, with GitHub's variables set, in a folder laid out
 * as the job's (`base/`, `head/`, the step's working directory) with `files` in it, and `npm` and
 * `npx` replaced by scripts that record the arguments and environment `npx` gets. Expressions are
 * given the value GitHub would paste in.
 */
function runStep(step: Step, files: string[] = []): { folder: string, npx: string[], environment: Record<string, string> } {
  const folder = mkdtempSync(join(tmpdir(), 'workflow-step-'))
  const bin = join(folder, 'bin')
  for (const path of ['bin', 'base', 'head', ...files.map(file => join(file, '..'))]) mkdirSync(join(folder, path), { recursive: true })
  for (const file of files) writeFileSync(join(folder, file), '{}')
  writeFileSync(join(bin, 'npm'), '#!/bin/sh\nexit 0\n')
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\necho "$*" >> '${join(folder, 'npx-calls')}'\nenv > '${join(folder, 'npx-environment')}'\n`)
  chmodSync(join(bin, 'npm'), 0o755)
  chmodSync(join(bin, 'npx'), 0o755)
  execFileSync('bash', ['-e', '-c', step.run!.replace(/\$\{\{\s*github\.event\.pull_request\.number\s*\}\}/g, '42')], {
    cwd: join(folder, step['working-directory'] ?? '.'),
    env: { PATH: `${bin}:${process.env.PATH}`, GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: join(folder, 'summary.md') },
  })
  const read = (name: string) => (existsSync(join(folder, name)) ? readFileSync(join(folder, name), 'utf8').trim().split('\n') : [])
  return {
    folder,
    npx: read('npx-calls'),
    environment: Object.fromEntries(read('npx-environment').map(line => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])),
  }
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
    const base = runStep(step('Measure the base branch')).environment
    expect(base.GITHUB_ACTIONS).toBeUndefined()
    expect(base.GITHUB_STEP_SUMMARY).toBeUndefined()
    const head = runStep(step('Measure the pull request')).environment
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

  test('compares with the base\'s report; without one, writes the pull request\'s as it is, not compared with itself', () => {
    const compare = step('Compare')
    expect(runStep(compare, ['base/reports/memory.json', 'head/reports/memory.json']).npx)
      .toEqual(['vitest-memory-budget compare ../base/reports/memory.json reports/memory.json --markdown ../comment/comment.md'])
    const first = runStep(compare, ['head/reports/memory.json'])
    expect(first.npx).toEqual(['vitest-memory-budget markdown reports/memory.json -o ../comment/comment.md'])
    expect(readFileSync(join(first.folder, 'comment/pr-number.txt'), 'utf8')).toBe('42\n')
  })

  test('without a report of the pull request (its run crashed), the comment says so, for the commenter to post', () => {
    const crashed = runStep(step('Compare'), ['base/reports/memory.json'])
    expect(crashed.npx).toEqual([])
    const comment = readFileSync(join(crashed.folder, 'comment/comment.md'), 'utf8')
    // The commenting workflow posts only a body that starts with the marker.
    expect(comment.startsWith('<!-- vitest-memory-budget -->\n')).toBe(true)
    expect(comment).toContain('**Memory:** no report: the test run of this pull request wrote none')
  })

  test('uploads the pull request\'s reports/ with the page, so its heap profiles are not lost', () => {
    const report = steps(measure).find(s => s.uses?.startsWith('actions/upload-artifact@') && s.with!.name === 'memory-report')!
    expect(String(report.with!.path).split('\n').map(line => line.trim()).filter(Boolean)).toEqual(['memory-report/', 'head/reports/'])
    expect(step('Measure the pull request')['working-directory']).toBe('head')
  })
})
