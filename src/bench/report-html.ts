// The HTML form of a report: one self-contained page (no network) whose inline script draws an SVG bar chart
// per group from the report's JSON embedded in the page, beside a table of the same figures.
import type { BenchReport, Group } from './model.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Runs in the browser. Each series is a row of bars: p99, p90 and p50 overlaid (lighter to darker) for a
 * distribution, one bar for a single figure. Every bar is a <rect> with data-group, data-series and
 * data-stat, so a test can check from the DOM that each measured series was drawn with a non-zero size.
 * A group whose figures span more than 50x is drawn on a log scale (said in its caption).
 */
const CHART_SCRIPT = String.raw`
(function () {
  var report = JSON.parse(document.getElementById('bench-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function fmt(x) { return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2); }
  var COLORS = { p99: '#c6dbef', p90: '#6baed6', p50: '#08519c', value: '#2171b5' };
  report.groups.forEach(function (g) {
    var host = document.getElementById('chart-' + g.id);
    if (!host || g.series.length === 0) return;
    var figures = [];
    g.series.forEach(function (s) {
      if (s.stats) figures.push(s.stats.p50, s.stats.p90, s.stats.p99); else if (s.value !== undefined) figures.push(s.value);
    });
    var positive = figures.filter(function (x) { return x > 0; });
    var hi = Math.max.apply(null, positive.concat([1e-9]));
    var lo = Math.min.apply(null, positive.concat([hi]));
    var log = hi / lo > 50;
    var LABEL = 230, W = 470, ROW = 26, TOP = 8;
    function width(v) {
      if (!(v > 0)) return 0;
      if (!log) return Math.max(1, (v / hi) * W);
      var floor = lo / 2;
      return Math.max(1, (Math.log(v / floor) / Math.log(hi / floor)) * W);
    }
    var svg = el('svg', { width: LABEL + W + 110, height: TOP + ROW * g.series.length + 24, role: 'img', 'data-group': g.id });
    el('title', {}, svg).textContent = g.title;
    g.series.forEach(function (s, i) {
      var y = TOP + i * ROW;
      var label = el('text', { x: LABEL - 8, y: y + 16, 'text-anchor': 'end', 'font-size': 12 }, svg);
      label.textContent = s.name;
      var stats = s.stats ? ['p99', 'p90', 'p50'] : ['value'];
      stats.forEach(function (k) {
        var v = s.stats ? s.stats[k] : s.value;
        var r = el('rect', { x: LABEL, y: y + 3, height: ROW - 8, width: width(v).toFixed(2), fill: COLORS[k],
          class: 'bar', 'data-group': g.id, 'data-series': s.name, 'data-stat': k }, svg);
        el('title', {}, r).textContent = s.name + ' ' + k + ': ' + fmt(v) + ' ' + g.unit;
      });
      var head = s.stats ? s.stats.p50 : s.value;
      var t = el('text', { x: LABEL + width(s.stats ? s.stats.p99 : s.value) + 6, y: y + 16, 'font-size': 11 }, svg);
      t.textContent = fmt(head) + (s.ratio !== undefined ? ' (' + s.ratio.toFixed(2) + '\u00d7)' : '');
    });
    var cap = el('text', { x: LABEL, y: TOP + ROW * g.series.length + 16, 'font-size': 11, fill: '#555' }, svg);
    cap.textContent = g.unit + ', ' + g.better + ' is better' + (log ? '; log scale' : '') + (g.series.some(function (s) { return s.stats; }) ? '; bars: p50 (dark), p90, p99 (light)' : '');
    host.appendChild(svg);
  });
  document.body.setAttribute('data-charts', 'drawn');
})();
`;

function groupTable(g: Group): string {
  const rows = g.series.map((s) => {
    const cells = s.stats
      ? [s.stats.n, s.stats.p50, s.stats.p90, s.stats.p99].map(String)
      : ['', String(s.value ?? ''), '', ''];
    const extra = Object.entries(s.extra ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
    return `<tr><td>${esc(s.name)}</td>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}<td>${s.ratio === undefined ? '' : `${s.ratio.toFixed(2)}×`}</td><td>${esc(extra)}</td></tr>`;
  });
  const skipped = g.skipped.map((k) => `<li>${esc(k.name)}: ${esc(k.reason)}</li>`).join('');
  return `<table><thead><tr><th>series</th><th>n</th><th>p50 / value (${esc(g.unit)})</th><th>p90</th><th>p99</th><th>vs ${esc(g.baseline ?? 'baseline')}</th><th>details</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>${skipped ? `<ul class="skipped">${skipped}</ul>` : ''}${g.note ? `<p class="note">${esc(g.note)}</p>` : ''}`;
}

export function reportHtml(r: BenchReport): string {
  const m = r.machine;
  // Inside <script>, "</" would end the element early: escape "<" in the embedded JSON.
  const data = JSON.stringify(r).replace(/</g, '\\u003c');
  const sections = r.groups.map((g) => `<section id="group-${esc(g.id)}">
<h2>${esc(g.title)}</h2>
<div class="chart" id="chart-${esc(g.id)}"></div>
${groupTable(g)}
</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>wasmpod bench ${esc(r.date)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; max-width: 70em; }
table { border-collapse: collapse; font-size: 13px; margin: .5em 0; }
td, th { border: 1px solid #ccc; padding: 2px 8px; text-align: right; }
td:first-child, th:first-child, td:last-child { text-align: left; }
.skipped, .note { color: #666; font-size: 13px; }
.chart svg { display: block; margin: .5em 0; }
</style>
</head>
<body>
<h1>wasmpod bench</h1>
<p>${esc(r.date)}; ${m.nproc} × ${esc(m.cpu)}, ${m.memTotalMiB} MiB, ${esc(m.platform)}, Node ${esc(m.node)};
load average ${m.loadAverage.join(' ')} at the start, ${r.loadAverageAfter.join(' ')} at the end; ${(r.durationMs / 1000).toFixed(1)} s.</p>
<p>Command: <code>${esc(r.command)}</code>. Ratios are each series over wasmpod's wasm backend in the same run.</p>
${sections}
<script id="bench-data" type="application/json">${data}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}
