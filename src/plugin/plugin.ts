import type { Plugin } from 'vitest/config'
import type { TestProject, Vitest } from 'vitest/node'
import { isBlobReporter, MemoryReporter, type UnmeasuredProject } from '../reporter/memory-reporter.js'
import { WORKER_CONFIG_KEY, type WorkerConfig } from '../worker/config.js'
import { RESTORE_FLAGS_IMPORT } from '../worker/restore-flags.js'
import { createTrailDirectory } from '../worker/trail-directory.js'
import { FULL_GC_THRESHOLD } from '../worker/test-recorder.js'
import '../worker/types.js'
import { memoryBudgetProbe, PROBE_COMMAND } from './browser-commands.js'
import { chromiumJsFlags, type MemoryBudgetOptions, resolveOptions, workerExecArgv } from './options.js'
import { BROWSER_SETUP, setupEntry } from './setup-entry.js'

const NOT_REACHED = `vitest-memory-budget: none of this run's projects has the plugin, so no test would be measured.
A project loaded from a config file of its own gets none of the root config's plugins (on Vitest 4,
neither does an inline project without \`extends: true\`). Either add memoryBudget() to the plugins of
each project's config file, or define the projects inline with \`extends: true\`
(test.projects: [{ extends: true, test: { ... } }]).`

const PLUGIN_NAMES = new Set(['vitest-memory-budget', 'vitest-memory-budget:project'])

/** Vitest 5's root config, as its server sees it: each project entry with the Vite config (and plugins) it will run with. */
interface ResolvedProjectEntries {
  test?: { resolvedProjects?: ReadonlyArray<{ viteConfig: { plugins: ReadonlyArray<{ name: string }> } }> }
}

/**
 * Whether the run being set up has no project with this plugin, judged when the root server starts.
 * Vitest 5 starts it before configuring projects, but has resolved them: their plugins say. Vitest 4
 * starts it (the one with Vitest's own 'vitest' plugin, not a project's) after configuring them, so
 * a `configureVitest` not yet called says.
 */
function noProjectHasPlugin(config: { plugins: ReadonlyArray<{ name: string }> }): boolean {
  const entries = (config as ResolvedProjectEntries).test?.resolvedProjects
  if (entries)
    return !entries.some(entry => entry.viteConfig.plugins.some(plugin => PLUGIN_NAMES.has(plugin.name)))
  return shared.awaitingConfigure && config.plugins.some(plugin => plugin.name === 'vitest')
}

/**
 * Shared through the process, not this module: Vitest loads the config file again for every project
 * with `extends: true`, and a config that bundles this module (a monorepo importing it from source)
 * makes a new plugin instance each time; all of them must agree on what has been set up.
 */
interface SharedState {
  /** The Vitest runs some instance of this plugin has set up. */
  configured: WeakSet<object>
  /** Set when a config is resolved, cleared when a run is set up: still set when the root server starts means no project had the plugin. */
  awaitingConfigure: boolean
}
const SHARED = Symbol.for('vitest-memory-budget.plugin')
const shared: SharedState = ((globalThis as { [SHARED]?: SharedState })[SHARED] ??= { configured: new WeakSet(), awaitingConfigure: false })

function withAll(list: readonly string[] | undefined, additions: readonly string[]): string[] {
  const result = [...(list ?? [])]
  for (const item of additions) {
    if (!result.includes(item))
      result.push(item)
  }
  return result
}

/** The user's config as a plugin's `config()` hook sees it: only the part read here. */
interface UserConfigShape {
  test?: { projects?: unknown }
}

/**
 * Vitest 4 gives an inline project without `extends: true` none of the root's plugins and calls
 * `configureVitest` only for projects that have the plugin; with every project of that shape the
 * plugin would be silently off. Each such project gets a plugin that only forwards that call.
 * (Vitest 5 passes root plugins to inline projects itself; the forwarded call is then a repeat,
 * which `configureVitest` ignores.)
 */
function forwardToInlineProjects(config: UserConfigShape, forwarder: Plugin): void {
  const projects = config.test?.projects
  if (!Array.isArray(projects))
    return
  for (const project of projects) {
    if (typeof project !== 'object' || project === null || (project as { extends?: unknown }).extends === true)
      continue
    const inline = project as { plugins?: unknown[] }
    inline.plugins = [...(inline.plugins ?? []), forwarder]
  }
}

/** How a project runs its tests, as far as measuring goes: a Node worker, a Chromium page over CDP, or neither. */
type Runtime = { kind: 'node' } | { kind: 'chromium' } | { kind: 'unmeasured', reason: string }

function runtimeOf(project: TestProject): Runtime {
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

/**
 * A Chromium project gets the browser setup file in place of the Node one, which the root config
 * may have passed down. (Its probe's command comes with `config()`: Vitest 4 reads commands from the
 * config that declares the browser instances, which is not among the resolved projects.)
 */
function applyToChromium(project: TestProject, nodeSetup: string): void {
  const config = project.config
  config.setupFiles = withAll(config.setupFiles.filter(file => file !== nodeSetup), [BROWSER_SETUP])
  // Test files of one Chromium run share a V8 heap (measured: a file churning objects put 0.6 to
  // 1.2 MB into another file's no-op measurements), so they run one at a time, on both majors.
  config.maxWorkers = 1
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
function addChromiumFlags(browser: BrowserShape | undefined, jsFlags: readonly string[]): void {
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
function addResolvedChromiumFlags(projects: readonly TestProject[], jsFlags: readonly string[]): void {
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

interface UserTestShape {
  test?: { browser?: BrowserShape, projects?: unknown }
}

/** Every browser config written in a user config: the root's and each inline project's. */
function userBrowserConfigs(config: UserTestShape): Array<BrowserShape | undefined> {
  const projects: unknown[] = Array.isArray(config.test?.projects) ? config.test.projects : []
  const inline = projects.map(project => (typeof project === 'object' && project !== null ? (project as UserTestShape).test?.browser : undefined))
  return [config.test?.browser, ...inline]
}

/** Registers the Chromium probe's command in every config with a browser; a page without Chromium never calls it. */
const BROWSER_COMMANDS = { browser: { commands: { [PROBE_COMMAND]: memoryBudgetProbe } } }

/**
 * The Vitest plugin: runs tests in forked workers with the GC flags measurement needs, installs the
 * memory matchers, measures every test against its budget, and reports at the end of the run.
 */
export function memoryBudget(options?: MemoryBudgetOptions): Plugin {
  const settings = resolveOptions(options)
  const flags = workerExecArgv(settings)
  const execArgv = [...flags, RESTORE_FLAGS_IMPORT]
  const jsFlags = chromiumJsFlags(settings)
  // Made when Vitest is about to run tests, not when a config is loaded (editors and tools load it too).
  let trailDirectory: string | undefined
  let setupFile: string | undefined
  const setup = () => (setupFile ??= setupEntry())
  let reporter: MemoryReporter | undefined
  const createReporter = (trails: string) => new MemoryReporter({
    top: settings.top,
    silent: settings.silent,
    outputFile: settings.outputFile,
    markdown: settings.markdown,
    baseline: settings.baseline,
    regression: settings.regression,
    budgetPatterns: settings.budgets.map(rule => rule.pattern),
    deterministic: settings.deterministic,
    workerFlags: flags,
    trailDirectory: trails,
  })

  const applyTo = (project: TestProject, workerConfig: WorkerConfig) => {
    // Vitest 4 gives projects without `extends: true` none of the root's plugins, and Vitest 5 drops
    // config() results from project configs; patching each resolved project covers both.
    const config = project.config
    config.pool = 'forks'
    config.execArgv = withAll(config.execArgv, execArgv)
    config.setupFiles = withAll(config.setupFiles, [setup()])
    config.includeTaskLocation = true
    project.provide(WORKER_CONFIG_KEY, workerConfig)
  }

  const configureVitest = ({ vitest }: { vitest: Vitest }) => {
    // Called once per project that has this plugin, on both majors: all projects are set up at once.
    shared.awaitingConfigure = false
    if (shared.configured.has(vitest))
      return
    shared.configured.add(vitest)
    trailDirectory ??= createTrailDirectory()
    reporter ??= createReporter(trailDirectory)
    const workerConfig: WorkerConfig = {
      root: vitest.config.root,
      budgets: settings.budgets,
      gcBeforeEachTest: settings.gcBeforeEachTest,
      fullGcThreshold: FULL_GC_THRESHOLD,
      trailDirectory,
    }
    const unmeasured: UnmeasuredProject[] = []
    addResolvedChromiumFlags(vitest.projects, jsFlags)
    for (const project of vitest.projects) {
      const runtime = runtimeOf(project)
      if (runtime.kind === 'node') {
        applyTo(project, workerConfig)
      }
      else if (runtime.kind === 'chromium') {
        applyToChromium(project, setup())
        unmeasured.push({ project: project.name, reason: 'Chromium browser mode: toStayUnder(), not.toLeak() and measureMemory() measure, per-test figures are not recorded yet' })
      }
      else {
        unmeasured.push({ project: project.name, reason: runtime.reason })
      }
    }
    reporter.setUnmeasuredProjects(unmeasured)
    const reporters = vitest.config.reporters
    if (!reporters.includes(reporter as never)) {
      // Vitest calls reporters in this order, each up to its first await: before the blob reporter
      // serializes the tests, this one has written into them what the trails of dead workers say.
      const blob = reporters.findIndex(isBlobReporter)
      reporters.splice(blob === -1 ? reporters.length : blob, 0, reporter as never)
    }
  }
  const forwarder: Plugin = { name: 'vitest-memory-budget:project', config: () => ({ test: BROWSER_COMMANDS }), configureVitest }

  return {
    name: 'vitest-memory-budget',
    config(config) {
      shared.awaitingConfigure = true
      forwardToInlineProjects(config as UserConfigShape, forwarder)
      for (const browser of userBrowserConfigs(config as UserTestShape))
        addChromiumFlags(browser, jsFlags)
      return { test: { pool: 'forks', execArgv, setupFiles: [setup()], includeTaskLocation: true, ...BROWSER_COMMANDS } }
    },
    configureVitest,
    configureServer(server) {
      if (noProjectHasPlugin(server.config))
        throw new Error(NOT_REACHED)
    },
  }
}
