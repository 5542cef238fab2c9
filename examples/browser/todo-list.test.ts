/// <reference lib="dom" />
import { expect, test } from 'vitest'
import { measureMemory } from 'vitest-memory-budget/browser'
import { mountLeakyTodoList, mountTodoList } from './todo-list.js'

const items = Array.from({ length: 20 }, (_, i) => `task ${i + 1}`)

// Held to the config budget: 41 DOM nodes (the list, 20 items and their texts) stay attached.
test('renders a list of 20 tasks', () => {
  mountTodoList(document.body, items)
  expect(document.body.querySelectorAll('li')).toHaveLength(20)
})

test('rendering 1,000 lists stays under 5 MB', async () => {
  await expect(() => {
    for (let i = 0; i < 1000; i++)
      mountTodoList(document.body, items).destroy()
  }).toStayUnder('5MB')
})

test('the clean widget leaves nothing behind', async () => {
  await expect(() => mountTodoList(document.body, items).destroy()).not.toLeak()
})

// Asserted the other way round so the demo passes: write it as `.not.toLeak()` to see the failure,
// with the DOM nodes and listener kept per call and the path that holds them.
test('the leaky widget keeps its DOM and a listener per mount', async () => {
  await expect(() => mountLeakyTodoList(document.body, items).destroy()).toLeak()
})

test('what one mount leaves in the DOM until the next GC', async () => {
  const m = await measureMemory(() => mountLeakyTodoList(document.body, items).destroy())
  // 41 DOM nodes (the list, 20 items and their texts) and one listener.
  console.log(`heap ${m.heap} B, DOM ${JSON.stringify(m.dom)}`)
})
