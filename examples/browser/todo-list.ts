/// <reference lib="dom" />

// A small vanilla-DOM widget, written twice: the clean one gives back everything it took in
// destroy(); the leaky one makes the three mistakes front-end leaks come from.

export interface Widget {
  destroy: () => void
}

function render(host: HTMLElement, items: readonly string[]): { list: HTMLUListElement, onResize: () => void } {
  const list = document.createElement('ul')
  for (const item of items) {
    const li = document.createElement('li')
    li.textContent = item
    list.appendChild(li)
  }
  host.appendChild(list)
  const onResize = () => list.classList.toggle('narrow', window.innerWidth < 600)
  window.addEventListener('resize', onResize)
  return { list, onResize }
}

export function mountTodoList(host: HTMLElement, items: readonly string[]): Widget {
  const { list, onResize } = render(host, items)
  return {
    destroy() {
      window.removeEventListener('resize', onResize)
      list.remove()
    },
  }
}

/** Every list ever rendered, "for the undo feature". */
const history: HTMLUListElement[] = []

export function mountLeakyTodoList(host: HTMLElement, items: readonly string[]): Widget {
  const { list } = render(host, items)
  history.push(list)
  return {
    destroy() {
      // The resize listener stays on window, and `history` keeps the detached list.
      list.remove()
    },
  }
}
