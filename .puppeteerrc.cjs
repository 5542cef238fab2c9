// memlab (a dev dependency here, an optional peer for users) depends on puppeteer, whose install
// downloads Chrome. Heap-snapshot analysis needs no browser, and CI reaches only the npm registry.
module.exports = { chrome: { skipDownload: true }, 'chrome-headless-shell': { skipDownload: true } }
