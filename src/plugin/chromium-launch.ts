import type { TestProject } from 'vitest/node'
import { withAll } from './with-all.js'

// Which projects run where, and the V8 flags a measured Chromium is launched with (the same as Node
// workers', for repeatable peaks), merged into the user's own launch options on both majors.

/** How a project runs its tests, as far as measuring goes: a Node worker, a Chromium page over CDP, or neither. */
export type Runtime = { kind: 'node' } | { kind: 'chromium' } | { kind: 'unmeasured', reason: string }

export function runtimeOf(project: TestProject): Runtime {
  const browser = project.config.browser
  if (!browser?.enabled)
    return { kind: 'node' }
  const provider = browser.provider?.name
  if (provider === 'playwright' && browser.name === 'chromium')
    return { kind: 'chromium' }
  return { kind: 'unmeasured', reason: `browser mode in ${browser.name} with ${provider ? `the ${provider} provider` : 'no provider'}: memory is measured in Chromium through the Playwright provider only (over CDP)` }
}

const JS_FLAGS = '--js-flags='

/** Launch arguments with V8 flags added to the user's own `--js-flags`: Chromium reads only one. */
export function withJsFlags(args: readonly string[], flags: readonly string[]): string[] {
  const index = args.findIndex(arg => arg.startsWith(JS_FLAGS))
  const own = index === -1 ? [] : args[index]!.slice(JS_FLAGS.length).split(/\s+/).filter(Boolean)
  const merged = `${JS_FLAGS}${withAll(own, flags).join(' ')}`
  return index === -1 ? [...args, merged] : args.map((arg, i) => (i === index ? merged : arg))
}

/** A browser config, as written or resolved: only the part read here. */
interface BrowserShape {
  provider?: { name?: string, options?: LaunchOptionsShape }
  instances?: ReadonlyArray<{ browser?: string }>
}

interface LaunchOptionsShape {
  launchOptions?: { args?: string[] }
}

/** Adds the V8 flags that make peaks repeatable (the same as Node workers') to the user's launch options. */
function addJsFlags(options: LaunchOptionsShape, jsFlags: readonly string[]): void {
  options.launchOptions ??= {}
  options.launchOptions.args = withJsFlags(options.launchOptions.args ?? [], jsFlags)
}

/**
 * Vitest 4 launches Chromium with the options object passed to `playwright()` as written in the
 * config, which `config()` sees, while its resolved projects hold copies: the flags go there. Only
 * where every instance is Chromium, since the provider gives all of them the same arguments.
 */
export function addChromiumFlags(browser: BrowserShape | undefined, jsFlags: readonly string[]): void {
  const provider = browser?.provider
  const instances = browser?.instances ?? []
  if (jsFlags.length === 0 || provider?.name !== 'playwright' || instances.length === 0 || !instances.every(i => i.browser === 'chromium'))
    return
  provider.options ??= {}
  addJsFlags(provider.options, jsFlags)
}

/** A browser provider as resolved: only the part used here. */
interface ResolvedProviderShape {
  providerFactory: (project: TestProject) => { options?: LaunchOptionsShape }
}

/**
 * Vitest 5 creates the provider from the resolved project's provider, a copy of the one written in
 * the config whose `providerFactory` still launches with the options as written, which `config()`
 * never sees there. The provider it creates keeps those options, and launches Chromium from them
 * when the first test file runs (discarding a browser it prewarmed with other options): the flags
 * are added to them then. Only on providers no other browser shares.
 */
export function addResolvedChromiumFlags(projects: readonly TestProject[], jsFlags: readonly string[]): void {
  const providers = new Map<ResolvedProviderShape, boolean>()
  for (const project of projects) {
    const provider = project.config.browser.provider as ResolvedProviderShape | undefined
    if (project.config.browser.enabled && provider)
      providers.set(provider, (providers.get(provider) ?? true) && runtimeOf(project).kind === 'chromium')
  }
  for (const [provider, onlyChromium] of providers) {
    if (!onlyChromium || jsFlags.length === 0)
      continue
    const create = provider.providerFactory
    provider.providerFactory = (project) => {
      const created = create(project)
      if (created.options)
        addJsFlags(created.options, jsFlags)
      return created
    }
  }
}

export interface UserTestShape {
  test?: { browser?: BrowserShape, projects?: unknown }
}

/** Every browser config written in a user config: the root's and each inline project's. */
export function userBrowserConfigs(config: UserTestShape): Array<BrowserShape | undefined> {
  const projects: unknown[] = Array.isArray(config.test?.projects) ? config.test.projects : []
  const inline = projects.map(project => (typeof project === 'object' && project !== null ? (project as UserTestShape).test?.browser : undefined))
  return [config.test?.browser, ...inline]
}
