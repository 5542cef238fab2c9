// Layers, each importing only those before it: measure (no Vitest; Node and Chromium probes) -> budgets -> matchers and worker
// hooks -> compare -> report model and files -> renderers -> reporter, plugin and CLI.
export * from './measure/index.js'
export { type BudgetInput, type BudgetsInput, TEST_BUDGET_METRICS, type TestBudgetMetric } from './budgets/types.js'
export { type AllocateUnderOptions, BUDGET_METRICS, type BudgetMetric, type LeakOptions, memoryMatchers, type StayUnderOptions } from './matchers/index.js'
export type {} from './matchers/types.js'
export type { BudgetViolation, TestMemory, TestMemoryRecord, UnattributedTestMemory } from './worker/test-recorder.js'
export { type MemoryTaskMeta, readTestMemory } from './worker/types.js'
export type { ComparedMetrics, MetricChange } from './compare/compare.js'
export type { RegressionMetric, RegressionOptions, RegressionRuleInput } from './compare/rules.js'
export { REPORT_SCHEMA_VERSION, type MemoryReport, type ReportTest, type Verdict } from './report/model.js'
export { type MemoryBudgetOptions } from './plugin/options.js'
export { memoryBudget } from './plugin/plugin.js'
