// @ts-nocheck: this function runs in the report's page, not in Node. html-page.ts inlines its source
// (`HTML_CLIENT.toString()`), so it uses nothing from outside its own body. The project's types have
// no DOM; what keeps it right is test/html-report.test.ts, which opens real reports in Chromium.

/**
 * Draws the page from the JSON in `#page-data`: a run's report (`kind: 'report'`) or the history of
 * several runs (`kind: 'history'`). Plain SVG drawn here, no charting library: the few bar and line
 * charts the page needs take a few kB of code, where uPlot adds 50 kB and ECharts 1 MB to every file.
 * Names and paths only ever reach the page through `textContent` and SVG text nodes, never as markup.
 */
export function HTML_CLIENT() {
  'use strict'
  const data = JSON.parse(document.getElementById('page-data').textContent)
  const page = document.getElementById('page')
  const SVG = 'http://www.w3.org/2000/svg'
  const PAGE_ROWS = 200

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag)
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value !== undefined && value !== null && value !== false)
        node.setAttribute(key, value === true ? '' : String(value))
    }
    for (const child of children) {
      if (child !== undefined && child !== null)
        node.append(child)
    }
    return node
  }
  function svg(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag)
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value))
    if (text !== undefined)
      node.textContent = text
    return node
  }
  function bytes(value) {
    if (value === null || value === undefined || Number.isNaN(value))
      return '–'
    const sign = value < 0 ? '-' : ''
    let v = Math.abs(value)
    const units = ['B', 'kB', 'MB', 'GB', 'TB']
    let u = 0
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000
      u++
    }
    return sign + (u === 0 ? String(Math.round(v)) : v.toFixed(v >= 100 ? 1 : 2).replace(/\.?0+$/, '')) + ' ' + units[u]
  }
  function percent(ratio) {
    if (ratio === null)
      return 'new'
    // Rounded before its sign is read: a change of -0.004% is 0.0%, not -0.0%.
    const tenths = Math.round(ratio * 1000)
    return (tenths > 0 ? '+' : tenths < 0 ? '-' : '') + (Math.abs(tenths) / 10).toFixed(1) + '%'
  }
  /** A label no longer than `max` characters, cut by code points. */
  function cut(text, max) {
    const chars = Array.from(text)
    return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : text
  }
  /**
   * Fits the page's chart labels once laid out, when only the page's font tells how long a label
   * is: a text marked `data-fit` (its room, in its chart's units) is cut with an ellipsis until it
   * fits, and any text that would cross its chart's left or right edge is moved back inside.
   */
  function fitTexts(root) {
    for (const text of root.querySelectorAll('svg text[data-fit]')) {
      const room = Number(text.dataset.fit)
      const label = text.firstChild
      const chars = Array.from(label.nodeValue)
      if (text.getComputedTextLength() <= room)
        continue
      // The longest prefix that fits with its ellipsis, found by halving.
      let fits = 0
      let over = chars.length
      while (over - fits > 1) {
        const middle = Math.floor((fits + over) / 2)
        label.nodeValue = chars.slice(0, middle).join('') + '…'
        if (text.getComputedTextLength() <= room)
          fits = middle
        else
          over = middle
      }
      label.nodeValue = fits === 0 ? '' : chars.slice(0, fits).join('') + '…'
    }
    for (const chart of root.querySelectorAll('svg')) {
      const edge = chart.viewBox.baseVal.width
      for (const text of chart.querySelectorAll('text')) {
        const box = text.getBBox()
        const shift = box.x < 0 ? -box.x : Math.min(0, edge - box.x - box.width)
        if (shift !== 0)
          text.setAttribute('x', String(Number(text.getAttribute('x')) + shift))
      }
    }
  }
  /** A round step for about four intervals over `span`: 1, 2, 2.5 or 5 times a power of ten. */
  function niceStep(span) {
    const raw = span / 4
    const power = 10 ** Math.floor(Math.log10(raw))
    return power * [1, 2, 2.5, 5, 10].find(m => m * power >= raw)
  }
  function card(label, value, tone) {
    return el('div', { class: 'card' + (tone ? ' ' + tone : '') }, el('b', null, String(value)), label)
  }

  /** Horizontal bars; `rows` are `{ label, value, text, tone, onSelect }`. */
  function barChart(caption, rows, emptyText) {
    const figure = el('figure', null, el('figcaption', null, caption))
    if (rows.length === 0) {
      figure.append(el('p', { class: 'muted' }, emptyText))
      return figure
    }
    const width = 420
    const labelWidth = 190
    const valueWidth = 70
    const rowHeight = 20
    const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + rows.length * rowHeight, width, role: 'img' })
    const largest = Math.max(...rows.map(r => Math.abs(r.value))) || 1
    rows.forEach((row, i) => {
      const y = i * rowHeight
      const group = svg('g', row.onSelect ? { class: 'clickable' } : {})
      const label = svg('text', { 'x': labelWidth - 6, 'y': y + 14, 'text-anchor': 'end', 'data-fit': labelWidth - 8 }, cut(row.short || row.label, 200))
      label.append(svg('title', {}, row.label))
      group.append(label)
      group.append(svg('rect', { class: 'bar' + (row.tone ? ' ' + row.tone : ''), x: labelWidth, y: y + 3, height: rowHeight - 6, width: Math.max(1, (Math.abs(row.value) / largest) * (width - labelWidth - valueWidth)) }))
      group.append(svg('text', { 'x': width - valueWidth + 4, 'y': y + 14, 'data-fit': valueWidth - 4 }, row.text))
      if (row.onSelect)
        group.addEventListener('click', row.onSelect)
      chart.append(group)
    })
    figure.append(chart)
    return figure
  }

  /** Lines over a shared x axis; `series` are `{ name, className, points: [x, y][] }` (a null y breaks the line). */
  function lineChart(options) {
    const width = 720
    const height = 260
    const left = 70
    const right = 12
    const top = 10
    const bottom = 30
    const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, width, role: 'img', class: 'line-chart' })
    const ys = options.series.flatMap(s => s.points.map(p => p[1])).concat(options.levels.map(l => l.value)).filter(v => v !== null)
    const xs = options.series.flatMap(s => s.points.map(p => p[0]))
    // Ticks at round values, with room above the highest line for a level's label.
    const step = niceStep(Math.max(1, ...ys) * 1.05 - Math.min(0, ...ys))
    const yMax = Math.ceil((Math.max(1, ...ys) * 1.05) / step) * step
    const yMin = Math.floor(Math.min(0, ...ys) / step) * step
    const xMax = Math.max(1, ...xs)
    const xAt = x => left + (x / xMax) * (width - left - right)
    const yAt = y => top + (1 - (y - yMin) / (yMax - yMin)) * (height - top - bottom)
    for (let i = 0; i <= Math.round((yMax - yMin) / step); i++) {
      const value = yMin + i * step
      chart.append(svg('line', { class: 'axis', x1: left, x2: width - right, y1: yAt(value), y2: yAt(value) }))
      chart.append(svg('text', { 'x': left - 6, 'y': yAt(value) + 4, 'text-anchor': 'end', 'class': 'y-tick', 'data-fit': left - 8 }, bytes(value)))
    }
    chart.append(svg('text', { 'x': (left + width) / 2, 'y': height - 6, 'text-anchor': 'middle' }, options.xLabel))
    // Each x label gets the room to the next; the first and last are moved inside the chart.
    const xRoom = options.xTicks.length < 2 ? width : Math.min(...options.xTicks.slice(1).map((tick, i) => xAt(tick.x) - xAt(options.xTicks[i].x)))
    for (const tick of options.xTicks) chart.append(svg('text', { 'x': xAt(tick.x), 'y': height - 18, 'text-anchor': 'middle', 'class': 'x-tick', 'data-fit': xRoom - 8 }, tick.text))
    for (const level of options.levels) {
      chart.append(svg('line', { class: level.className, x1: left, x2: width - right, y1: yAt(level.value), y2: yAt(level.value) }))
      chart.append(svg('text', { 'x': width - right - 4, 'y': yAt(level.value) - 4, 'text-anchor': 'end' }, level.name + ' ' + bytes(level.value)))
    }
    for (const series of options.series) {
      let d = ''
      let pen = 'M'
      for (const [x, y] of series.points) {
        if (y === null) {
          pen = 'M'
          continue
        }
        d += pen + xAt(x).toFixed(1) + ' ' + yAt(y).toFixed(1) + ' '
        pen = 'L'
      }
      const path = svg('path', { 'class': 'line ' + series.className, d, 'data-series': series.name })
      path.append(svg('title', {}, series.name))
      chart.append(path)
      // A lone point (a test with no GC shows its start and end) would draw nothing visible without dots.
      for (const [x, y] of series.points) {
        if (y !== null)
          chart.append(svg('circle', { class: series.className, cx: xAt(x), cy: yAt(y), r: 2.2, fill: 'none' }))
      }
    }
    return chart
  }
  function legend(entries) {
    return el('p', { class: 'legend' }, ...entries.map(([name, color, dashed]) => el('span', null, el('i', { class: 'swatch', style: 'background:' + color + (dashed ? ';opacity:.6' : '') }), name)))
  }

  if (data.kind === 'history')
    drawHistory()
  else
    drawReport()

  function drawReport() {
    // The figures in each test's `m`, in order, then its GC count and duration: native only when measured.
    const METRICS = data.metrics
    const figure = (t, metric) => t.m[METRICS.indexOf(metric)]
    const files = data.files
    const tests = data.tests
    const s = data.summary
    const env = data.environment
    const fullName = t => (t.p ? '[' + t.p + '] ' : '') + files[t.f] + ' > ' + t.n
    const indexOf = new Map(tests.map((t, i) => [t, String(i)]))
    page.replaceChildren()
    page.append(el('h1', null, 'Memory report'))
    page.append(el('p', { class: 'muted', id: 'environment' }, 'Node ' + env.node + ' · Vitest ' + env.vitest + ' · ' + env.platform + '/' + env.arch + ' · ' + (env.deterministic ? 'deterministic workers' : 'workers not deterministic') + ' (' + env.workerFlags.join(' ') + ') · ' + data.createdAt))
    page.append(el('div', { class: 'cards', id: 'summary' },
      card('measured', s.measured + ' / ' + s.tests),
      card('over budget', s.overBudget, s.overBudget > 0 ? 'bad' : ''),
      card('regressed', s.compared ? s.regressed : '–', s.regressed > 0 ? 'bad' : ''),
      card('improved', s.compared ? s.improved : '–', s.improved > 0 ? 'good' : ''),
      card('crashed', s.crashed, s.crashed > 0 ? 'bad' : ''),
      card('not attributable', s.notAttributable),
      card('not measured', s.notMeasured)))
    if (!s.compared)
      page.append(el('p', { class: 'muted' }, 'No baseline to compare with.'))
    for (const u of s.unmeasuredProjects || []) page.append(el('p', { class: 'muted' }, 'Not measured: project ' + u.project + ' (' + u.reason + ').'))
    if (s.unmatchedPatterns.length > 0)
      page.append(el('p', { class: 'muted' }, 'Budget patterns that matched no test: ' + s.unmatchedPatterns.join(', ')))
    for (const note of data.notes) page.append(el('p', { class: 'muted uncompared' }, note))

    const measured = tests.filter(t => t.m)
    const heaviest = measured.slice().sort((a, b) => b.m[0] - a.m[0]).slice(0, 12)
    const byFile = new Map()
    for (const t of measured) {
      const entry = byFile.get(t.f) || { peak: 0, tests: 0 }
      entry.peak = Math.max(entry.peak, t.m[0])
      entry.tests++
      byFile.set(t.f, entry)
    }
    const heaviestFiles = [...byFile].sort((a, b) => b[1].peak - a[1].peak).slice(0, 12)
    // What C and C++ code asked malloc for, which heap + external miss: its own chart, never added to theirs.
    const heaviestNative = METRICS.includes('native') ? measured.filter(t => figure(t, 'native') !== null).sort((a, b) => figure(b, 'native') - figure(a, 'native')).slice(0, 12) : []
    const changed = tests.filter(t => t.c.some(c => c[0] === 'total' && c[2] !== null)).map(t => ({ t, change: t.c.find(c => c[0] === 'total') })).sort((a, b) => Math.abs(b.change[1]) - Math.abs(a.change[1])).slice(0, 12)
    page.append(el('div', { class: 'charts' },
      barChart('Heaviest tests (peak heap + external)', heaviest.map(t => ({ label: fullName(t), short: t.n, value: t.m[0], text: bytes(t.m[0]), tone: t.o.length > 0 ? 'up' : '', onSelect: () => select(t) })), 'No test was measured.'),
      barChart('Heaviest files (largest test peak)', heaviestFiles.map(([f, e]) => ({ label: files[f] + ' (' + e.tests + ' test' + (e.tests === 1 ? '' : 's') + ')', value: e.peak, text: bytes(e.peak) })), 'No test was measured.'),
      barChart('Biggest changes against the baseline (peak)', changed.map(({ t, change }) => ({ label: fullName(t), short: t.n, value: change[1], text: (change[1] > 0 ? '+' : '') + bytes(change[1]), tone: change[1] > 0 ? 'up' : 'down', onSelect: () => select(t) })), s.compared ? 'No test changed beyond the regression threshold.' : 'No baseline to compare with.'),
      METRICS.includes('native') ? barChart('Heaviest tests (peak native, C heap)', heaviestNative.map(t => ({ label: fullName(t), short: t.n, value: figure(t, 'native'), text: bytes(figure(t, 'native')), tone: t.o.includes('native') ? 'up' : '', onSelect: () => select(t) })), 'No test was measured.') : null))

    if (data.fileLives)
      drawFileLives()

    const detail = el('section', { id: 'detail', hidden: true })
    page.append(detail)

    /** Each file's whole life in its worker: a table, and per worker that ran several files a chart of what it held after each. */
    function drawFileLives() {
      const lives = data.fileLives
      const FILE_METRICS = ['total', 'heap', 'external', 'rss', 'retained', 'grew']
      const section = el('section', { id: 'files' }, el('h2', null, 'Test files, over each one\'s whole life in its worker'))
      for (const death of data.deaths || []) section.append(el('p', { class: 'over' }, death))
      if (data.runner)
        section.append(el('p', { id: 'runner-fit' }, 'Runner: ' + data.runner))
      const workers = new Map()
      for (const life of lives) workers.set(life[2], (workers.get(life[2]) || []).concat([life]))
      const charts = el('div', { class: 'charts' })
      for (const [worker, own] of workers) {
        if (own.length < 2)
          continue
        own.sort((a, b) => a[3] - b[3])
        const fileOf = life => files[life[0]]
        charts.append(el('figure', { 'class': 'worker-chart', 'data-worker': worker }, el('figcaption', null, 'Worker ' + worker + ' across its ' + own.length + ' files'),
          lineChart({
            series: [
              { name: 'held after the file (retained)', className: 'heap', points: own.map(life => [life[3], life[8]]) },
              { name: 'peak during the file (total)', className: 'total', points: own.map(life => [life[3], life[4]]) },
            ],
            levels: [],
            xLabel: 'files in the order the worker ran them',
            xTicks: own.map(life => ({ x: life[3], text: cut(fileOf(life).split('/').pop(), 24) })),
          }),
          legend([['held after the file', 'var(--heap)'], ['peak during the file', 'var(--total)']])))
      }
      if (charts.children.length > 0)
        section.append(charts)
      const bodyRows = lives.slice().sort((a, b) => b[7] - a[7]).map(life => el('tr', null,
        el('td', { class: 'name' }, (life[1] ? '[' + life[1] + '] ' : '') + files[life[0]]),
        el('td', { class: 'num' }, String(life[2])),
        el('td', { class: 'num' }, String(life[3])),
        ...FILE_METRICS.map((metric, i) => el('td', { class: 'num' + (life[10].includes(metric) ? ' over' : '') }, (metric === 'grew' && life[4 + i] > 0 ? '+' : '') + bytes(life[4 + i]))),
      ))
      section.append(el('table', { id: 'file-table' }, el('thead', null, el('tr', null, el('th', null, 'file'), el('th', { class: 'num' }, 'worker'), el('th', { class: 'num' }, '#'), ...FILE_METRICS.map(m => el('th', { class: 'num' }, m)))), el('tbody', null, ...bodyRows)))
      page.append(section)
    }

    const columns = [
      { key: 'file', label: 'file', value: t => files[t.f] },
      { key: 'name', label: 'test', value: t => t.n },
      { key: 'verdict', label: 'verdict', value: t => t.v },
      ...METRICS.map((metric, i) => ({ key: metric, label: metric, num: true, value: t => (t.m ? t.m[i] : null) })),
      { key: 'change', label: 'Δ total', num: true, value: t => { const c = t.c.find(c => c[0] === 'total'); return c ? c[1] : null } },
    ]
    let sortKey = null
    let sortDirection = 1
    let shown = PAGE_ROWS
    let selected = null
    const search = el('input', { 'type': 'search', 'placeholder': 'Filter by file or name', 'aria-label': 'Filter by file or name', 'id': 'filter', 'size': 40 })
    const verdicts = [...new Set(tests.map(t => t.v))].sort()
    const verdictFilter = el('select', { 'aria-label': 'Verdict', 'id': 'verdict-filter' }, el('option', { value: '' }, 'every verdict'), ...verdicts.map(v => el('option', { value: v }, v)))
    const changedOnly = el('input', { type: 'checkbox', id: 'changed-only' })
    const count = el('span', { class: 'muted', id: 'row-count' })
    const head = el('tr', null, ...columns.map(column => {
      const th = el('th', { 'class': column.num ? 'num' : '', 'data-key': column.key, 'scope': 'col' }, column.label)
      th.addEventListener('click', () => {
        sortDirection = sortKey === column.key ? -sortDirection : column.num ? -1 : 1
        sortKey = column.key
        for (const other of head.children) other.removeAttribute('aria-sort')
        th.setAttribute('aria-sort', sortDirection > 0 ? 'ascending' : 'descending')
        draw()
      })
      return th
    }))
    const body = el('tbody')
    const more = el('button', { type: 'button', id: 'show-more', hidden: true })
    more.addEventListener('click', () => {
      shown += PAGE_ROWS * 5
      draw()
    })
    page.append(el('h2', null, 'Tests'), el('div', { class: 'controls' }, search, verdictFilter, el('label', null, changedOnly, ' changed against the baseline'), count))
    page.append(el('table', { id: 'tests' }, el('thead', null, head), body), more)
    for (const control of [search, verdictFilter, changedOnly]) {
      control.addEventListener('input', () => {
        shown = PAGE_ROWS
        draw()
      })
    }

    function rows() {
      const needle = search.value.toLowerCase()
      let list = tests.filter(t => (!verdictFilter.value || t.v === verdictFilter.value) && (!changedOnly.checked || t.c.length > 0) && (!needle || fullName(t).toLowerCase().includes(needle)))
      const column = columns.find(c => c.key === sortKey)
      if (column) {
        const keyed = list.map(t => [column.value(t), t])
        keyed.sort((a, b) => (a[0] === null ? 1 : b[0] === null ? -1 : (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) * sortDirection))
        list = keyed.map(k => k[1])
      }
      return list
    }
    /** A failed test's verdict says so first: its memory may be within budget while an assertion failed. */
    function verdictText(t) {
      return t.s === 'failed' && t.v !== 'over-budget' && t.v !== 'crashed' ? 'failed, ' + t.v : t.v
    }
    function row(t) {
      const tr = el('tr', { 'data-index': indexOf.get(t), 'tabindex': 0 })
      if (t === selected)
        tr.className = 'selected'
      tr.append(el('td', null, files[t.f]), el('td', { class: 'name' }, (t.p ? '[' + t.p + '] ' : '') + t.n), el('td', { class: 'verdict' + (t.o.length > 0 || t.v === 'crashed' || t.s === 'failed' ? ' over' : '') }, verdictText(t)))
      METRICS.forEach((metric, i) => {
        const cell = el('td', { class: 'num' + (t.o.includes(metric) ? ' over' : '') }, t.m ? bytes(t.m[i]) : '–')
        if (t.b[metric] !== undefined)
          cell.append(el('div', { class: 'limit' }, 'budget ' + bytes(t.b[metric])))
        tr.append(cell)
      })
      const change = t.c.find(c => c[0] === 'total')
      tr.append(el('td', { class: 'num' + (change ? (change[1] > 0 ? ' up' : ' down') : '') }, change ? percent(change[2]) : t.base === null ? '' : '='))
      tr.addEventListener('click', () => select(t))
      tr.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault()
          select(t)
        }
      })
      return tr
    }
    function draw() {
      const list = rows()
      body.replaceChildren(...list.slice(0, shown).map(row))
      count.textContent = list.length + ' of ' + tests.length + ' tests'
      more.hidden = list.length <= shown
      more.textContent = 'Show ' + Math.min(PAGE_ROWS * 5, list.length - shown) + ' more of ' + (list.length - shown)
    }

    function select(t) {
      selected = t
      for (const tr of body.children) tr.classList.toggle('selected', tr.dataset.index === indexOf.get(t))
      detail.hidden = false
      detail.scrollIntoView({ block: 'nearest' })
      detail.replaceChildren(el('h2', null, fullName(t)))
      const facts = el('dl')
      const fact = (term, value) => facts.append(el('dt', null, term), el('dd', null, value))
      fact('verdict', t.v + ' (' + t.s + ')')
      if (t.m) {
        fact('peak', bytes(figure(t, 'total')) + ' (heap ' + bytes(figure(t, 'heap')) + ', external ' + bytes(figure(t, 'external')) + ')')
        if (METRICS.includes('native'))
          fact('native (C heap)', figure(t, 'native') === null ? 'not measured' : bytes(figure(t, 'native')) + ' (not in the peak: Buffer contents are in external and native both)')
        fact('retained, allocated', bytes(figure(t, 'retained')) + ', ' + bytes(figure(t, 'allocated')))
        fact('GCs, duration', t.m[METRICS.length] + ', ' + t.m[METRICS.length + 1].toFixed(1) + ' ms')
      }
      for (const metric of Object.keys(t.b)) fact('budget ' + metric, bytes(t.b[metric]) + (t.o.includes(metric) ? ' — over' : ''))
      if (t.base !== null)
        fact('baseline peak', bytes(t.base))
      for (const c of t.c) fact('change ' + c[0], (c[1] > 0 ? '+' : '') + bytes(c[1]) + ' (' + percent(c[2]) + ')')
      for (const link of t.h || []) fact('heap profile', el('a', { href: link, class: 'profile' }, decodeURIComponent(link.split('/').pop())))
      detail.append(facts)
      detail.append(timeline(t))
      if (t.o.length > 0 && !t.h)
        detail.append(el('p', { class: 'muted' }, 'No heap profile: with memoryBudget({ profiles }), a test over budget writes one, and this page draws where its memory was allocated.'))
      for (const [i, link] of (t.h || []).entries()) {
        const tree = t.a ? t.a[i] : undefined
        if (tree === undefined)
          continue
        detail.append(el('h3', null, 'Where the memory was allocated: ' + decodeURIComponent(link.split('/').pop())))
        if (tree === null)
          detail.append(el('p', { class: 'muted' }, 'Not drawn: the page holds the allocation trees of the heaviest profiled tests only; open the profile itself.'))
        else if (typeof tree === 'string')
          detail.append(el('p', { class: 'muted profile-unreadable' }, tree))
        else
          detail.append(icicle(tree))
      }
      fitTexts(detail)
    }

    function timeline(t) {
      const points = []
      for (let i = 1; t.t && i < t.t.length; i += 3) points.push([t.t[i], t.t[i + 1] * t.t[0], t.t[i + 2] * t.t[0]])
      if (points.length === 0)
        return el('p', { class: 'muted' }, t.m ? 'This report has no timeline for the test (written before timelines were recorded).' : 'No memory figures for this test.')
      const end = points[points.length - 1][0]
      // The budgets of the three lines drawn; rss and retained are not on this chart.
      const levels = ['total', 'heap', 'external'].filter(metric => t.b[metric] !== undefined)
        .map(metric => ({ name: metric === 'total' ? 'budget' : 'budget ' + metric, className: 'budget', value: t.b[metric] }))
      if (t.base !== null)
        levels.push({ name: 'baseline peak', className: 'baseline', value: t.base })
      const chart = lineChart({
        xLabel: 'garbage collections during the test (start, before and after each, end)',
        xTicks: [{ x: 0, text: 'start' }, { x: end, text: 'end' }],
        levels,
        series: [
          { name: 'heap + external', className: 'total', points: points.map(p => [p[0], p[1] + p[2]]) },
          { name: 'heap', className: 'heap', points: points.map(p => [p[0], p[1]]) },
          { name: 'external', className: 'external', points: points.map(p => [p[0], p[2]]) },
        ],
      })
      chart.id = 'timeline'
      const keys = [['heap + external', 'var(--total)'], ['heap', 'var(--heap)'], ['external', 'var(--ext)']]
      if (levels.length > 0)
        keys.push(['budget', 'var(--bad)', true])
      if (t.base !== null)
        keys.push(['baseline peak', 'var(--base)', true])
      const section = document.createDocumentFragment()
      section.append(el('h3', null, 'Memory over the test'), legend(keys), chart)
      return section
    }

    /**
     * An allocation tree (`[unit, frame, depth, self, total, ...]` in preorder) as an icicle: the
     * root on top, each frame's callees under it, widths in proportion to the bytes allocated in
     * them. A frame's colour follows its file, so one file's frames read as one.
     */
    function icicle(tree) {
      const width = 720
      const rowHeight = 18
      const unit = tree[0]
      const rootTotal = tree[4] || 1
      const nodes = []
      for (let i = 1; i < tree.length; i += 4) nodes.push({ frame: data.frames[tree[i]], depth: tree[i + 1], self: tree[i + 2] * unit, total: tree[i + 3] * unit })
      const depth = Math.max(...nodes.map(n => n.depth)) + 1
      const chart = svg('svg', { viewBox: '0 0 ' + width + ' ' + depth * rowHeight, width, role: 'img', class: 'icicle' })
      // Where the next child of the node at each depth starts.
      const next = []
      for (const node of nodes) {
        const x = node.depth === 0 ? 0 : next[node.depth - 1]
        const w = (node.total / unit / rootTotal) * width
        if (node.depth > 0)
          next[node.depth - 1] = x + w
        next[node.depth] = x
        const [functionName, file, line] = node.frame
        const name = functionName || '(anonymous)'
        let hue = 0
        for (const char of file) hue = (hue * 31 + char.charCodeAt(0)) % 360
        const group = svg('g', { class: 'frame' })
        group.append(svg('rect', { x: x.toFixed(2), y: node.depth * rowHeight, width: Math.max(0.5, w - 0.5).toFixed(2), height: rowHeight - 1, fill: file ? 'hsl(' + hue + ' 60% 70%)' : '#b4bcc6' }))
        if (w > 40)
          group.append(svg('text', { 'x': (x + 3).toFixed(2), 'y': node.depth * rowHeight + 13, 'data-fit': (w - 6).toFixed(2) }, cut(name + ' ' + bytes(node.total), 200)))
        group.append(svg('title', {}, name + '\n' + (file ? file + ':' + line : 'no script (V8 or native code)') + '\nself ' + bytes(node.self) + ', total ' + bytes(node.total) + ' (' + ((100 * node.total) / unit / rootTotal).toFixed(1) + '%)'))
        chart.append(group)
      }
      return chart
    }
    draw()
    fitTexts(page)
  }

  function drawHistory() {
    const runs = data.runs
    page.replaceChildren()
    page.append(el('h1', null, 'Memory history'))
    page.append(el('p', { class: 'muted', id: 'environment' }, runs.length + ' runs, ' + data.tests.length + ' tests; peak ' + data.label + ' per test and run.'))
    if (data.unmeasuredRuns.length > 0)
      page.append(el('p', { class: 'muted', id: 'left-out' }, 'Left out: ' + data.unmeasuredRuns.length + ' run' + (data.unmeasuredRuns.length === 1 ? '' : 's') + ' that measured no ' + data.metric + ': ' + data.unmeasuredRuns.join(' · ')))
    const heaviest = data.tests.slice().sort((a, b) => Math.max(...b.values) - Math.max(...a.values)).slice(0, 8)
    const colors = ['#8250df', '#0969da', '#bf8700', '#cf222e', '#1a7f37', '#e16f24', '#6e7781', '#bf3989']
    const chart = lineChart({
      xLabel: 'runs, oldest first',
      xTicks: runs.map((r, i) => ({ x: i, text: r.label })).filter((_, i) => runs.length <= 12 || i % Math.ceil(runs.length / 12) === 0),
      levels: [],
      series: heaviest.map((t, i) => ({ name: t.key, className: 'h' + i, points: t.values.map((v, x) => [x, v]) })),
    })
    chart.id = 'history-chart'
    const style = el('style', null, heaviest.map((_, i) => '.h' + i + '{stroke:' + colors[i] + '}').join(''))
    page.append(el('h2', null, 'Heaviest tests over the runs'), style, chart, el('ol', { class: 'legend' }, ...heaviest.map((t, i) => el('li', null, el('i', { class: 'swatch', style: 'background:' + colors[i] }), t.key))))
    const body = el('tbody')
    for (const t of data.tests) {
      const present = t.values.filter(v => v !== null)
      body.append(el('tr', null, el('td', { class: 'name' }, t.key), ...t.values.map(v => el('td', { class: 'num' }, bytes(v))), el('td', { class: 'num' }, present.length > 1 ? percent(present[0] === 0 ? null : (present[present.length - 1] - present[0]) / present[0]) : '')))
    }
    page.append(el('h2', null, 'Every test'), el('table', { id: 'history' }, el('thead', null, el('tr', null, el('th', null, 'test'), ...runs.map(r => el('th', { class: 'num', title: r.createdAt }, cut(r.label, 24))), el('th', { class: 'num' }, 'first → last'))), body))
    fitTexts(page)
  }
}
