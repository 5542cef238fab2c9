import { resolve } from 'node:path'
import type { Plugin } from 'vitest/config'
import type { TestProject, Vitest } from 'vitest/node'
import { isBlobReporter, MemoryReporter, type MemoryReporterOptions, type RunNotes } from '../reporter/memory-reporter.js'
import { WORKER_CONFIG_KEY, type WorkerConfig } from '../worker/config.js'
import { RESTORE_FLAGS_IMPORT } from '../worker/restore-flags.js'
import { createTrailDirectory } from '../worker/trail-directory.js'
import { FULL_GC_THRESHOLD } from '../worker/test-recorder.js'
import '../worker/types.js'
import { memoryBudgetProbe, PROBE_COMMAND } from './browser-commands.js'
import { NATIVE_UNAVAILABLE_VARIABLE } from '../measure/native.js'
import { nativeSupport, withNativePreload } from './native-preload.js'
import { type MemoryBudgetOptions, resolveOptions, workerExecArgv } from './options.js'
import { WORKER_START_IMPORT } from '../worker/worker-start.js'
import { BROWSER_SETUP, NODE_RUNNER, setupEntry } from './setup-entry.js'
import { addChromiumFlags, addResolvedChromiumFlags, runtimeOf, type UserTestShape, userBrowserConfigs } from './chromium-launch.js'
import { withAll } from './with-all.js'

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
  runs: WeakMap<object, RunSetup>
  /** Set when a config is resolved, cleared when a run is set up: still set when the root server starts means no project had the plugin. */
  awaitingConfigure: boolean
}
const SHARED = Symbol.for('vitest-memory-budget.plugin')
const shared: SharedState = ((globalThis as { [SHARED]?: SharedState })[SHARED] ??= { runs: new WeakMap(), awaitingConfigure: false })

/** The user's config as a plugin's `config()` hook sees it: only the part read here. */
interface UserConfigShape {
  test?: { projects?: unknown, name?: unknown, pool?: string }
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

/**
 * A Chromium project gets the browser setup file. (Its probe's command comes with `config()`:
 * Vitest 4 reads commands from the config that declares the browser instances, which is not among
 * the resolved projects.)
 */
function applyToChromium(project: TestProject, workerConfig: WorkerConfig): void {
  const config = project.config
  config.setupFiles = withAll(config.setupFiles, [BROWSER_SETUP])
  // Test files of one Chromium run share a V8 heap (measured: a file churning objects put 0.6 to
  // 1.2 MB into another file's no-op measurements), so they run one at a time, on both majors.
  config.maxWorkers = 1
  config.includeTaskLocation = true
  project.provide(WORKER_CONFIG_KEY, workerConfig)
}

/**
 * Whether the run shows each test in a web page: `vitest --ui`, or Vitest's `html` reporter. Only
 * then are tests annotated: the terminal reporters print annotations too (`verbose` under every
 * test, JUnit as properties), and a CI log gains nothing from a line per test.
 */
export function showsTestsInBrowser(config: { ui?: boolean, reporters: readonly unknown[] }): boolean {
  return config.ui === true || config.reporters.some(entry => entry === 'html' || (Array.isArray(entry) && entry[0] === 'html'))
}

/** Registers the Chromium probe's command in every config with a browser; a page without Chromium never calls it. */
const BROWSER_COMMANDS = { browser: { commands: { [PROBE_COMMAND]: memoryBudgetProbe } } }

/**
 * What one run's instances of this plugin share: a reporter per scope (one `memoryBudget()`'s
 * options and root), and which projects some instance has set up.
 */
interface RunSetup {
  notes: RunNotes
  scopes: Map<string, MemoryReporter>
}

/** The root the plugin's paths are relative to, and the name a project's tests are reported under. */
interface Placement {
  root: string
  label: string
}

/**
 * Where one instance of the plugin puts `project`. A project loaded from a config file of its own
 * (a monorepo package) is placed as when it runs alone: paths relative to its root, its tests under
 * the name its config gives it ('' for none, where Vitest names it after its folder when run from
 * the root). Every other project (inline ones, or the root config's own) as its root config says.
 */
function placementOf(project: TestProject, vitest: Vitest, ownConfig: OwnConfig): Placement {
  const rootConfigFile = vitest.vite.config.configFile
  const loadedAlone = ownConfig.projects === undefined && project.vite.config.configFile !== rootConfigFile
  return loadedAlone ? { root: project.config.root, label: ownConfig.name ?? '' } : { root: vitest.config.root, label: project.name }
}

/** The part of the user's config a plugin instance reads in `config()`, before Vitest names the project. */
interface OwnConfig {
  projects?: unknown
  name?: string
}

function nameOf(name: unknown): string | undefined {
  if (typeof name === 'string')
    return name
  return typeof name === 'object' && name !== null && typeof (name as { label?: unknown }).label === 'string' ? (name as { label: string }).label : undefined
}

/**
 * The Vitest plugin: runs tests in forked workers with the GC flags measurement needs, installs the
 * memory matchers, measures every test against its budget, and reports at the end of the run.
 * Each project is held to the options of the plugin in its own config (the first one that reaches
 * it): in a monorepo, each package's `memoryBudget()` holds its package only.
 */
export function memoryBudget(options?: MemoryBudgetOptions): Plugin {
  const settings = resolveOptions(options)
  const flags = workerExecArgv(settings)
  const execArgv = [...flags, RESTORE_FLAGS_IMPORT, WORKER_START_IMPORT]
  // The same V8 flags for a Chromium page; there `--expose-gc` gives per-test recording its
  // young-generation GC between tests, which CDP has none of (its collection is a full one).
  const jsFlags = flags
  // Made when Vitest is about to run tests, not when a config is loaded (editors and tools load it too).
  let setupFile: string | undefined
  const setup = () => (setupFile ??= setupEntry())
  const ownConfig: OwnConfig = {}
  /** The pool this instance's config asked for: its `config()` sets 'forks' before projects read it. */
  let askedPool: string | undefined

  const reporterFor = (run: RunSetup, root: string): MemoryReporter => {
    const reporterOptions: Omit<MemoryReporterOptions, 'trailDirectory'> = {
      root,
      top: settings.top,
      silent: settings.silent,
      outputFile: settings.outputFile,
      markdown: settings.markdown,
      html: settings.html,
      baseline: settings.baseline,
      regression: settings.regression,
      budgetRules: settings.budgets,
      fileBudgets: settings.fileBudgets,
      runner: settings.runner,
      deterministic: settings.deterministic,
      workerFlags: flags,
    }
    // Vitest 4 loads the config again for each project with `extends: true`: equal options from
    // another instance are the same scope, reported once.
    const key = JSON.stringify(reporterOptions)
    let reporter = run.scopes.get(key)
    if (!reporter) {
      reporter = new MemoryReporter({ ...reporterOptions, trailDirectory: createTrailDirectory() }, run.notes)
      run.scopes.set(key, reporter)
    }
    return reporter
  }

  /**
   * Vitest forks each worker with the project's `env` over the process's: only these workers get the
   * C heap's interposer, not the main process (and the library keeps it from their children).
   */
  const applyNative = (config: TestProject['config'], notes: RunNotes) => {
    const native = settings.native ? nativeSupport() : { reason: 'memoryBudget({ native: false }) turned it off' }
    if ('env' in native) {
      config.env = withNativePreload(config.env ?? {}, native)
      return
    }
    config.env = { ...config.env, [NATIVE_UNAVAILABLE_VARIABLE]: native.reason }
    if (settings.native)
      notes.nativeUnavailable = native.reason
    // Every test's native figure would be NaN, and a NaN is over no limit: the budget would pass.
    const holding = settings.budgets.find(rule => rule.limits.native !== undefined)
    if (holding)
      throw new Error(`vitest-memory-budget: the budget ${JSON.stringify(holding.pattern)} holds native memory, which this run cannot measure: ${native.reason}. Remove that limit, or run where the C heap is counted (Linux x64 with glibc).`)
  }

  const applyTo = (project: TestProject, workerConfig: WorkerConfig, notes: RunNotes) => {
    // Vitest 4 gives projects without `extends: true` none of the root's plugins, and Vitest 5 drops
    // config() results from project configs; patching each resolved project covers both.
    const config = project.config
    config.pool = 'forks'
    config.execArgv = withAll(config.execArgv, execArgv)
    applyNative(config, notes)
    // The plugin's runner records each test at the runner's own steps; a project with a runner of
    // its own (or Vitest 4's benchmark mode) gets the same recording from a setup file's hooks.
    const ownRunner = config.runner !== undefined && config.runner !== NODE_RUNNER
    if (ownRunner || (config as { mode?: string }).mode === 'benchmark')
      config.setupFiles = withAll(config.setupFiles, [setup()])
    else
      config.runner = NODE_RUNNER
    // Vitest 4 and 5 run every file in a fresh worker unless `isolate: false`.
    project.provide(WORKER_CONFIG_KEY, { ...workerConfig, isolate: config.isolate !== false })
  }

  const claim = (vitest: Vitest, project: TestProject) => {
    shared.awaitingConfigure = false
    let run = shared.runs.get(vitest)
    if (!run) {
      run = { notes: { reporters: [], claimed: new Set(), replacedPools: [] }, scopes: new Map() }
      shared.runs.set(vitest, run)
    }
    // Vitest 5 calls this once per project for each instance the project inherits: the first wins.
    if (run.notes.claimed.has(project.name))
      return
    run.notes.claimed.add(project.name)
    const { root, label } = placementOf(project, vitest, ownConfig)
    const reporter = reporterFor(run, root)
    const workerConfig: WorkerConfig = {
      root,
      budgets: settings.budgets,
      gcBeforeEachTest: settings.gcBeforeEachTest,
      fullGcThreshold: FULL_GC_THRESHOLD,
      trailDirectory: reporter.trailDirectory,
      heapLimit: settings.heapLimit,
      profiles: settings.profiles === undefined ? undefined : resolve(root, settings.profiles),
      annotations: settings.annotations === 'auto' ? showsTestsInBrowser(vitest.config) : settings.annotations,
      isolate: true,
    }
    const runtime = runtimeOf(project)
    if (runtime.kind === 'node') {
      const pool = project.config.pool === 'forks' ? askedPool : project.config.pool
      if (pool !== undefined && pool !== 'forks')
        run.notes.replacedPools.push({ project: project.name, pool })
      applyTo(project, workerConfig, run.notes)
    }
    else if (runtime.kind === 'chromium') {
      // A browser config's instances share its provider: flags go to a provider only Chromium uses.
      addResolvedChromiumFlags(vitest.projects.filter(p => p.config.browser.provider === project.config.browser.provider), jsFlags)
      applyToChromium(project, workerConfig)
    }
    reporter.addProject(project.name, label, runtime.kind === 'unmeasured' ? runtime.reason : undefined)
    const reporters = vitest.config.reporters
    if (!reporters.includes(reporter as never)) {
      // Vitest calls reporters in this order, each up to its first await: before the blob reporter
      // serializes the tests, this one has written into them what the trails of dead workers say.
      const blob = reporters.findIndex(isBlobReporter)
      reporters.splice(blob === -1 ? reporters.length : blob, 0, reporter as never)
    }
  }
  // Forwarded to an inline project that Vitest 4 gives none of the root's plugins: it holds the project
  // only if no plugin of the project's own did.
  const forwarder: Plugin = { name: 'vitest-memory-budget:project', config: () => ({ test: BROWSER_COMMANDS }), configureVitest: ({ vitest, project }) => claim(vitest, project) }

  return {
    name: 'vitest-memory-budget',
    config(config) {
      shared.awaitingConfigure = true
      const test = (config as UserConfigShape).test
      ownConfig.projects = test?.projects
      ownConfig.name = nameOf(test?.name)
      askedPool = test?.pool
      forwardToInlineProjects(config as UserConfigShape, forwarder)
      for (const browser of userBrowserConfigs(config as UserTestShape))
        addChromiumFlags(browser, jsFlags)
      return { test: { pool: 'forks', execArgv, ...BROWSER_COMMANDS } }
    },
    configureVitest: ({ vitest, project }) => claim(vitest, project),
    configureServer(server) {
      if (noProjectHasPlugin(server.config))
        throw new Error(NOT_REACHED)
    },
  }
}
