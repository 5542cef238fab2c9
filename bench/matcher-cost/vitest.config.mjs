import { memoryBudget } from '../../dist/index.js'

export default { plugins: [memoryBudget({ silent: true })] }
