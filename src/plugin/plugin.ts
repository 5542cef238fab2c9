import { resolve } from 'node:path'
import type { Plugin } from 'vitest/config'
import type { TestProject, Vitest } from 'vitest/node'
import { isBlobReporter, MemoryReporter, type UnmeasuredProject } from '../reporter/memory-reporter.js'
import { WORKER_CONFIG_KEY, type WorkerConfig } from '../worker/config.js'
import { RESTORE_FLAGS_IMPORT } from '../worker/restore-flags.js'
import { createTrailDirectory } from '../worker/trail-directory.js'
import { FULL_GC_THRESHOLD } from '../worker/test-recorder.js'
import '../worker/types.js'
import { memoryBudgetProbe, PROBE_COMMAND } from './browser-commands.js'
import { type MemoryBudgetOptions, resolveOptions, workerExecArgv } from './options.js'
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
  configured: WeakSet<object>
  /** Set when a config is resolved, cleared when a run is set up: still set when the root server starts means no project had the plugin. */
  awaitingConfigure: boolean
}
const SHARED = Symbol.for('vitest-memory-budget.plugin')
const shared: SharedState = ((globalThis as { [SHARED]?: SharedState })[SHARED] ??= { configured: new WeakSet(), awaitingConfigure: false })

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
 * The Vitest plugin: runs tests in forked workers with the GC flags measurement needs, installs the
 * memory matchers, measures every test against its budget, and reports at the end of the run.
 */
export function memoryBudget(options?: MemoryBudgetOptions): Plugin {
  const settings = resolveOptions(options)
  const flags = workerExecArgv(settings)
  const execArgv = [...flags, RESTORE_FLAGS_IMPORT]
  // The same V8 flags for a Chromium page; there `--expose-gc` gives per-test recording its
  // young-generation GC between tests, which CDP has none of (its collection is a full one).
  const jsFlags = flags
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
    html: settings.html,
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
    // The plugin's runner records each test at the runner's own steps; a project with a runner of
    // its own (or Vitest 4's benchmark mode) gets the same recording from a setup file's hooks.
    const ownRunner = config.runner !== undefined && config.runner !== NODE_RUNNER
    if (ownRunner || (config as { mode?: string }).mode === 'benchmark')
      config.setupFiles = withAll(config.setupFiles, [setup()])
    else
      config.runner = NODE_RUNNER
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
      profiles: settings.profiles === undefined ? undefined : resolve(vitest.config.root, settings.profiles),
      annotations: settings.annotations === 'auto' ? showsTestsInBrowser(vitest.config) : settings.annotations,
    }
    const unmeasured: UnmeasuredProject[] = []
    addResolvedChromiumFlags(vitest.projects, jsFlags)
    for (const project of vitest.projects) {
      const runtime = runtimeOf(project)
      if (runtime.kind === 'node') {
        applyTo(project, workerConfig)
      }
      else if (runtime.kind === 'chromium') {
        applyToChromium(project, workerConfig)
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
      return { test: { pool: 'forks', execArgv, ...BROWSER_COMMANDS } }
    },
    configureVitest,
    configureServer(server) {
      if (noProjectHasPlugin(server.config))
        throw new Error(NOT_REACHED)
    },
  }
}
