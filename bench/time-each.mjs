/** Times `calls` awaited calls of `fn`, one by one, in ms. No Node import: the Chromium page runs it too. */
export async function timeEach(fn, calls) {
  const times = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await fn()
    times.push(performance.now() - started)
  }
  return times
}
