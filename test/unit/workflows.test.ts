import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'

// The README promises users that the two example workflows are safe to copy for pull requests from
// forks. These are the promises, checked on the files as GitHub would read them.

interface Step { uses?: string, run?: string, with?: Record<string, unknown>, if?: string }
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
