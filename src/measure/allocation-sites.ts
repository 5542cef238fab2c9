import { Session } from 'node:inspector'
import { relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type LocateSource, sourceLocator } from './source-maps.js'

/** Where memory was allocated, from V8's sampling heap profiler. */
export interface AllocationSite {
  functionName: string
  /** File path relative to the working directory, or an empty string for native code. */
  file: string
  /** 1-based line. */
  line: number
  /** Bytes allocated at this site during the call (sampled estimate; V8 heap only). */
  bytes: number
}

export interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number, columnNumber: number, scriptId: string }
  selfSize: number
  children: ProfileNode[]
}

export interface HeapSample {
  size: number
  nodeId: number
  /** Increases with every sample V8 takes in the process: a later sampling's samples have higher ones. */
  ordinal: number
}

/**
 * V8's sampling heap profile (`HeapProfiler.stopSampling`'s `profile`), as written to a `.heapprofile`
 * file: Chrome DevTools (Memory, Load) and speedscope open it.
 */
export interface HeapProfile {
  head: ProfileNode
  samples: HeapSample[]
}

/** What a sampling found: the sites for a failure message, and the whole profile for a file. */
export interface SampledAllocations {
  sites: AllocationSite[]
  profile: HeapProfile
}

/** Bytes between samples: small enough for a 1 MB site to show, large enough to cost little. */
const SAMPLING_INTERVAL = 16 * 1024

let session: Session | undefined
/**
 * V8 has one sampling profile per isolate: a sampling started inside another (a `toStayUnder` in a
 * test the plugin samples for its heap profile) reads the outer one's samples taken since it began.
 */
let sampling = false

function post<T = unknown>(method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T)))
  })
}

/** A running sampling of allocation sites. */
export interface AllocationSampling {
  /** Stops sampling and returns the sites, biggest first, and the profile. */
  read: () => Promise<SampledAllocations>
  /** Stops sampling without building the profile, which would cost about 6 ms in a Vitest worker. */
  discard: () => Promise<void>
}

/**
 * Starts sampling every allocation on the V8 heap, including objects already collected, so a
 * short-lived spike still names its allocation site. One inspector session serves the process.
 */
export async function startAllocationSampling(): Promise<AllocationSampling> {
  if (sampling)
    return startNestedSampling()
  if (!session) {
    session = new Session()
    session.connect()
  }
  // Enabled for each sampling: `discard` disables the profiler, the only way to stop sampling
  // without V8 building the whole profile.
  await post('HeapProfiler.enable')
  await post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  })
  sampling = true
  const stop = async <T>(how: () => Promise<T>): Promise<T> => {
    try {
      return await how()
    }
    finally {
      sampling = false
    }
  }
  return {
    read: () => stop(async () => {
      const { profile } = await post<{ profile: HeapProfile }>('HeapProfiler.stopSampling')
      return sampled(samplesAfter(profile, -1))
    }),
    discard: () => stop(() => post('HeapProfiler.disable')),
  }
}

/** The sites and the profile, both at the lines of the source files (see `sourceLocator`). */
function sampled(profile: HeapProfile): SampledAllocations {
  const locate = sourceLocator()
  return { sites: aggregateSites(profile.head, process.cwd(), OWN_FILES, locate), profile: { ...profile, head: inSource(profile.head, locate) } }
}

/** A profile's frames at the positions of their source files, for Chrome DevTools and speedscope. */
function inSource(node: ProfileNode, locate: LocateSource): ProfileNode {
  const { url, lineNumber, columnNumber } = node.callFrame
  const path = toPath(url)
  const source = path && !path.startsWith('node:') ? locate(path, lineNumber, columnNumber) : undefined
  const callFrame = source ? { ...node.callFrame, url: source.path === path ? url : source.path, lineNumber: source.line - 1, columnNumber: source.column } : node.callFrame
  return { ...node, callFrame, children: node.children.map(child => inSource(child, locate)) }
}

/** The last ordinal among `samples`, -1 for none (a loop: a spread of 100,000 samples overflows the stack). */
function lastOrdinal(samples: readonly HeapSample[]): number {
  let last = -1
  for (const sample of samples) last = Math.max(last, sample.ordinal)
  return last
}

/**
 * A sampling inside a running one: the outer profile's samples taken after it started. Reading the
 * profile without stopping costs as much as stopping it, so this costs about twice a plain sampling.
 */
async function startNestedSampling(): Promise<AllocationSampling> {
  const current = () => post<{ profile: HeapProfile }>('HeapProfiler.getSamplingProfile').then(result => result.profile)
  const after = lastOrdinal((await current()).samples)
  return {
    read: async () => sampled(samplesAfter(await current(), after)),
    discard: async () => {},
  }
}

/**
 * The profile of only the samples after ordinal `after`, empty branches dropped. Each node keeps the
 * share of its self size that those samples make up: V8 scales a node's self size for the objects
 * its sampling missed, which the samples' own sizes are not. Samples of nodes missing from the tree
 * (V8 takes a last one or two while building the profile) are left out, so every file is consistent.
 */
export function samplesAfter(profile: HeapProfile, after: number): HeapProfile {
  const nodes = new Set<number>()
  const walk = [profile.head]
  while (walk.length > 0) {
    const node = walk.pop()!
    nodes.add(node.id)
    walk.push(...node.children)
  }
  const all = new Map<number, number>()
  const later = new Map<number, number>()
  const add = (sizes: Map<number, number>, sample: HeapSample) => sizes.set(sample.nodeId, (sizes.get(sample.nodeId) ?? 0) + sample.size)
  const samples: HeapSample[] = []
  for (const sample of profile.samples) {
    if (!nodes.has(sample.nodeId))
      continue
    add(all, sample)
    if (sample.ordinal > after) {
      add(later, sample)
      samples.push(sample)
    }
  }
  const prune = (node: ProfileNode): ProfileNode | undefined => {
    const children = node.children.map(prune).filter(child => child !== undefined)
    const share = (later.get(node.id) ?? 0) / (all.get(node.id) || 1)
    const selfSize = Math.round(node.selfSize * share)
    return selfSize > 0 || children.length > 0 ? { ...node, selfSize, children } : undefined
  }
  return { head: prune(profile.head) ?? { ...profile.head, selfSize: 0, children: [] }, samples }
}

/** Frames of this package are the measuring machinery, not the user's code. */
const OWN_FILES = fileURLToPath(new URL('..', import.meta.url))

interface Frame {
  functionName: string
  file: string
  line: number
}

/**
 * Sums self sizes per source location, biggest first. Allocations inside Node internals and
 * built-ins (`Array.from`, `readFileSync`) are charged to the nearest calling frame in user code,
 * which is the line to change; those made by this package's own machinery are left out.
 */
export function aggregateSites(head: ProfileNode, cwd = process.cwd(), ownDir = OWN_FILES, locate: LocateSource = sourceLocator()): AllocationSite[] {
  const sites = new Map<string, AllocationSite>()
  const charge = (frame: Frame, bytes: number) => {
    const key = `${frame.functionName}\0${frame.file}\0${frame.line}`
    const site = sites.get(key)
    if (site)
      site.bytes += bytes
    else
      sites.set(key, { ...frame, bytes })
  }
  // `owner` is the user frame an internal frame's allocations are charged to; null drops them.
  const stack: Array<{ node: ProfileNode, owner: Frame | null | undefined }> = [{ node: head, owner: undefined }]
  while (stack.length > 0) {
    const { node, owner: inherited } = stack.pop()!
    const { url, functionName, lineNumber, columnNumber } = node.callFrame
    const path = toPath(url)
    let owner = inherited
    if (path.startsWith(ownDir)) {
      owner = null
    }
    else if (path && !path.startsWith('node:')) {
      // V8 gives the line of the code it ran: for a module Vitest transformed, the source map's.
      const source = locate(path, lineNumber, columnNumber) ?? { path, line: lineNumber + 1 }
      owner = { functionName: functionName || '(anonymous)', file: relative(cwd, source.path).split(sep).join('/'), line: source.line }
    }
    if (node.selfSize > 0 && owner !== null)
      charge(owner ?? { functionName: functionName || '(native)', file: path, line: path ? lineNumber + 1 : 0 }, node.selfSize)
    for (const child of node.children) stack.push({ node: child, owner })
  }
  return [...sites.values()].sort((a, b) => b.bytes - a.bytes)
}

function toPath(url: string): string {
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url)
    }
    catch {
      return url
    }
  }
  return url
}
