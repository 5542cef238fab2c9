import { createHash } from 'node:crypto'
import { HTML_CLIENT } from './html-client.js'

/**
 * JSON that can sit inside a `<script>` element whatever its strings hold: `<` is escaped, so no
 * `</script>` or `<!--` can end or change the element, and U+2028/U+2029 too, which older parsers
 * took for line ends. `JSON.parse` reads the escapes back as the same characters.
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/[<>&\u2028\u2029]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** Text for HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, char => `&#${char.charCodeAt(0)};`)
}

const SCRIPT = `(${HTML_CLIENT.toString()})()`

/**
 * The policy allows the page's own script by its hash and nothing else: no request leaves the page
 * (the file opens from disk, in CI artifacts), and a script some name smuggled into the page would
 * not run even if the escaping above ever failed.
 */
const POLICY = `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'`

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#656d76;--bg:#fff;--panel:#f6f8fa;--line:#d0d7de;--bad:#cf222e;--good:#1a7f37;--heap:#0969da;--ext:#bf8700;--total:#8250df;--base:#6e7781}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#8d96a0;--bg:#0d1117;--panel:#161b22;--line:#30363d;--bad:#f85149;--good:#3fb950;--heap:#4493f8;--ext:#d29922;--total:#a371f7;--base:#8d96a0}}
*{box-sizing:border-box}body{margin:0 auto;max-width:1280px;padding:16px 24px;font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}.muted{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}.card{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}.card.bad b{color:var(--bad)}.card.good b{color:var(--good)}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:16px}figure{margin:0;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:8px 12px;overflow:hidden}
figcaption{font-weight:600;margin-bottom:4px}svg{display:block;max-width:100%;height:auto}svg text{fill:var(--fg);font-size:11px}svg .axis{stroke:var(--line)}
.bar{fill:var(--total)}.bar.up{fill:var(--bad)}.bar.down{fill:var(--good)}g.clickable{cursor:pointer}g.clickable:hover text{text-decoration:underline}
.heap{stroke:var(--heap)}.external{stroke:var(--ext)}.total{stroke:var(--total)}.line{fill:none;stroke-width:1.6}
.budget{stroke:var(--bad);stroke-dasharray:6 4}.baseline{stroke:var(--base);stroke-dasharray:2 3}.legend span{margin-right:12px}.swatch{display:inline-block;width:10px;height:3px;vertical-align:middle;margin-right:4px}
.controls{display:flex;flex-wrap:wrap;gap:8px;align-items:center;margin-bottom:8px}input,select,button{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:4px 8px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{position:sticky;top:0;background:var(--panel);cursor:pointer;white-space:nowrap;user-select:none}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
td.num,th.num{text-align:right;white-space:nowrap}tbody tr{cursor:pointer}tbody tr:hover,tbody tr.selected{background:var(--panel)}
td.name{word-break:break-word;white-space:pre-wrap}.over{color:var(--bad);font-weight:600}.up{color:var(--bad)}.down{color:var(--good)}.limit{color:var(--muted);font-size:12px}
.verdict{white-space:nowrap}#detail{background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:12px 16px;margin-top:16px}#detail h2{margin-top:0;white-space:pre-wrap;word-break:break-word}
svg.icicle text{fill:#1f2328}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}dt{color:var(--muted)}dd{margin:0}
`

export interface PageOptions {
  title: string
  /** What the page's script draws: embedded as JSON, never as markup. */
  data: unknown
}

/**
 * One self-contained HTML file: styles, data and script inline, no request to anything. Every word
 * a test or file name brings is in the JSON, which the script puts on the page as text.
 */
export function renderPage({ title, data }: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${POLICY}">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main id="page"><p class="muted">Drawing the report… (it needs JavaScript)</p></main>
<script type="application/json" id="page-data">${jsonForScript(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`
}
