// What the end-of-run bench calls of the reporter, bundled by it on the fly: dist/ is bundled by
// entry point, so these modules have no files of their own there.
export { MemoryReporter } from '../../src/reporter/memory-reporter.js'
export { collectTests, toPosix } from '../../src/reporter/collect.js'
export { buildReport, compareReport } from '../../src/report/model.js'
export { readBaseline, serializeBaseline, testKey, updateBaseline } from '../../src/report/files.js'
export { writeFileAtomic } from '../../src/report/write-atomic.js'
export { renderTerminalSummary } from '../../src/render/terminal.js'
export { renderJsonReport } from '../../src/render/json.js'
export { renderMarkdownReport } from '../../src/render/markdown.js'
export { renderAnnotations } from '../../src/render/github.js'
export { comparedMetrics } from '../../src/compare/compare.js'
export { resolveRegressionRules } from '../../src/compare/rules.js'
export { readTrails } from '../../src/worker/trail-directory.js'
