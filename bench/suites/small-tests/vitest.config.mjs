// Replaced at bench time by the variant's config (bench/cost/variants.mjs); this one runs the suite plainly.
export default { test: { pool: 'forks' } }
