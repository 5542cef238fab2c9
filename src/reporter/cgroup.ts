import { readFileSync } from 'node:fs'
import { totalmem } from 'node:os'

/** The memory this process's control group may use, and what it uses. */
export interface CgroupMemory {
  version: 1 | 2
  /** The cgroup's path in its hierarchy, as /proc/self/cgroup names it. */
  path: string
  /** The smallest limit on the way from the cgroup up to the root, in bytes; undefined where none is set. */
  limit: number | undefined
  /** What the cgroup charges now (its processes' memory, page cache included), in bytes. */
  current: number | undefined
  /** OOM kills the cgroup has counted; undefined where the kernel does not say. */
  oomKills: number | undefined
}

/** Reads a file's text, or undefined where it does not exist or cannot be read. */
export type ReadText = (path: string) => string | undefined

const readText: ReadText = (path) => {
  try {
    return readFileSync(path, 'utf8')
  }
  catch {
    return undefined
  }
}

/** cgroup v1 writes "no limit" as the largest page-aligned 64-bit number (9223372036854771712); v2 writes `max`. */
const UNLIMITED = 2 ** 62

function parseBytes(text: string | undefined): number | undefined {
  const value = text?.trim()
  if (value === undefined || value === '' || value === 'max')
    return undefined
  const bytes = Number(value)
  return Number.isFinite(bytes) && bytes < UNLIMITED ? bytes : undefined
}

/** A `key value` line's value in a flat keyed file (memory.events, memory.oom_control). */
function keyed(text: string | undefined, key: string): number | undefined {
  const line = text?.split('\n').find(l => l.startsWith(`${key} `))
  return line === undefined ? undefined : Number(line.slice(key.length + 1))
}

/** The directories from the cgroup's own up to the hierarchy's root (a container sees its own cgroup as `/`). */
function upward(mount: string, path: string): string[] {
  const parts = path.split('/').filter(Boolean)
  return parts.map((_, i) => `${mount}/${parts.slice(0, parts.length - i).join('/')}`).concat(mount)
}

/**
 * The memory cgroup of this process: v2 (the unified hierarchy) where /proc/self/cgroup has a
 * `0::` line and its files exist, else v1's `memory` controller. Undefined where there is neither
 * (not Linux, or no cgroup file system mounted). `read` is the file reader (tests give it a tree).
 */
export function readCgroupMemory(read: ReadText = readText, root = '/sys/fs/cgroup'): CgroupMemory | undefined {
  const lines = read('/proc/self/cgroup')?.split('\n') ?? []
  const v2 = lines.find(line => line.startsWith('0::'))?.slice(3)
  if (v2 !== undefined) {
    const dirs = upward(root, v2)
    if (read(`${dirs[0]}/memory.current`) !== undefined) {
      const limits = dirs.map(dir => parseBytes(read(`${dir}/memory.max`))).filter(limit => limit !== undefined)
      return {
        version: 2,
        path: v2,
        limit: limits.length > 0 ? Math.min(...limits) : undefined,
        current: parseBytes(read(`${dirs[0]}/memory.current`)),
        oomKills: keyed(read(`${dirs[0]}/memory.events`), 'oom_kill'),
      }
    }
  }
  const v1 = lines.map(line => line.split(':')).find(([, controllers]) => controllers?.split(',').includes('memory'))?.slice(2).join(':')
  if (v1 === undefined)
    return undefined
  // Inside a container the cgroup's path names the host's hierarchy and the mount is the cgroup
  // itself: the first directory that exists, from the full path down to the mount.
  const mount = `${root}/memory`
  const own = [`${mount}${v1 === '/' ? '' : v1}`, mount].find(dir => read(`${dir}/memory.usage_in_bytes`) !== undefined)
  if (own === undefined)
    return undefined
  const dirs = upward(mount, own.slice(mount.length))
  const limits = dirs.map(dir => parseBytes(read(`${dir}/memory.limit_in_bytes`))).filter(limit => limit !== undefined)
  return {
    version: 1,
    path: v1,
    limit: limits.length > 0 ? Math.min(...limits) : undefined,
    current: parseBytes(read(`${own}/memory.usage_in_bytes`)),
    // Kernels before 4.13 have no oom_kill line.
    oomKills: keyed(read(`${own}/memory.oom_control`), 'oom_kill'),
  }
}

/** What this machine gives a run: the cgroup's limit inside a container, else physical memory. */
export interface RunnerMemory {
  bytes: number
  source: 'cgroup v1' | 'cgroup v2' | 'physical memory' | 'option'
}

export function runnerMemory(cgroup: CgroupMemory | undefined, physical = totalmem()): RunnerMemory {
  if (cgroup?.limit !== undefined && cgroup.limit < physical)
    return { bytes: cgroup.limit, source: cgroup.version === 1 ? 'cgroup v1' : 'cgroup v2' }
  return { bytes: physical, source: 'physical memory' }
}
