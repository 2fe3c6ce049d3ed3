// The status page: polls /api/bridges and /api/bridges/:id, draws with Chart.js (served by the
// daemon itself). Text from the server is always set as textContent, never as HTML.
'use strict';

const REFRESH_MS = 5000;
const DETAIL_LIMIT = 24;
const charts = new Map();
const colors = { green: '#3fb950', red: '#f85149', amber: '#d29922', blue: '#58a6ff', grid: '#262d36', muted: '#8b949e' };

const fmtTime = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
const fmtMoney = (n) => (n === undefined || n === null ? '—' : `${n >= 0 ? '+' : '−'}${Math.abs(n).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
const sign = (n) => (n === undefined || n === null || n === 0 ? 'flat' : n > 0 ? 'pos' : 'neg');
function ago(iso) {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.floor(s / 60)}m ago` : `${Math.floor(s / 3600)}h ago`;
}
function badge(text, kind) {
  const el = document.createElement('span');
  el.className = `badge ${kind || ''}`;
  el.textContent = text;
  return el;
}
function setText(root, selector, text, cls) {
  const el = root.querySelector(selector);
  el.textContent = text;
  if (cls !== undefined) el.className = `${el.className.split(' ').filter((c) => !['pos', 'neg', 'flat'].includes(c)).join(' ')} ${cls}`;
}

function baseOptions(yTitle) {
  return {
    animation: false,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    interaction: { mode: 'nearest', intersect: false },
    plugins: { legend: { display: false }, tooltip: { callbacks: { title: (items) => (items[0] ? fmtTime(items[0].parsed.x) : '') } } },
    scales: {
      x: { type: 'linear', ticks: { color: colors.muted, maxTicksLimit: 5, maxRotation: 0, callback: (v) => fmtTime(v) }, grid: { color: colors.grid } },
      y: { ticks: { color: colors.muted, maxTicksLimit: 5 }, grid: { color: colors.grid }, title: { display: false, text: yTitle } },
    },
  };
}

function equityValueAt(points, t) {
  let value = points.length ? points[0].y : 0;
  for (const p of points) {
    if (p.x > t) break;
    value = p.y;
  }
  return value;
}

function equityDatasets(detail) {
  const line = detail.equity.map((p) => ({ x: p.at, y: Math.round((p.realized + p.unrealized) * 100) / 100 }));
  const buys = [], sells = [], exits = [];
  for (const tick of detail.ticks) {
    const t = Date.parse(tick.at);
    if (tick.closed.length > 0) exits.push({ x: t, y: equityValueAt(line, t) });
    if (tick.opened) (tick.opened.side === 'SELL' ? sells : buys).push({ x: t, y: equityValueAt(line, t) });
  }
  return [
    { type: 'line', label: 'equity', data: line, borderColor: colors.blue, backgroundColor: colors.blue, fill: false, pointRadius: 0, borderWidth: 2, tension: 0 },
    { type: 'scatter', label: 'buy', data: buys, pointStyle: 'triangle', pointRadius: 7, backgroundColor: colors.green, borderColor: colors.green },
    { type: 'scatter', label: 'sell', data: sells, pointStyle: 'triangle', rotation: 180, pointRadius: 7, backgroundColor: colors.red, borderColor: colors.red },
    { type: 'scatter', label: 'exit', data: exits, pointStyle: 'crossRot', pointRadius: 7, borderWidth: 2, borderColor: colors.amber },
  ];
}

function latencyDatasets(detail) {
  const data = detail.ticks.filter((t) => t.latencyMs !== undefined).map((t) => ({ x: Date.parse(t.at), y: t.latencyMs }));
  return [{ type: 'line', label: 'latency', data, borderColor: colors.amber, backgroundColor: colors.amber, pointRadius: 3, borderWidth: 1.5, showLine: true }];
}

function drawChart(key, canvas, datasets, yTitle) {
  let chart = charts.get(key);
  if (!chart || chart.canvas !== canvas) {
    chart?.destroy();
    chart = new window.Chart(canvas, { type: 'line', data: { datasets }, options: baseOptions(yTitle) });
    charts.set(key, chart);
    return;
  }
  chart.data.datasets = datasets;
  chart.update('none');
}

function cardFor(id) {
  let card = document.querySelector(`section[data-bridge="${CSS.escape(id)}"]`);
  if (card) return card;
  card = document.getElementById('bridge-card').content.firstElementChild.cloneNode(true);
  card.dataset.bridge = id;
  card.querySelector('.bridge-id').textContent = id;
  document.getElementById('bridges').appendChild(card);
  return card;
}

function render(summary, detail) {
  const card = cardFor(summary.id);
  const badges = card.querySelector('.badges');
  badges.replaceChildren(
    badge(summary.mode, summary.mode === 'real' ? 'real' : ''),
    summary.halted ? badge('halted', 'warn') : badge('trading', 'ok'),
    summary.lease.standby ? badge(summary.runBy ? `run by ${summary.runBy.pid}@${summary.runBy.host}` : 'standby') : summary.lease.held ? badge('lease held', 'ok') : badge('lease lost', 'bad'),
    ...(summary.failingStreak > 0 ? [badge(`${summary.failingStreak} failed`, 'bad')] : []),
  );
  card.querySelector('.meta').textContent = `${summary.instrument} · ${summary.strategy.split('/').pop()} · ${summary.policy} · ${summary.schedule}`;

  // A trade being closed stays tracked until confirmed: the one open on the server is the position.
  const trade = summary.trades.trades.find((t) => t.onServer === 'open');
  if (trade) {
    setText(card, '.position', `${trade.side} ${trade.volume}`, trade.side === 'BUY' ? 'pos' : 'neg');
    setText(card, '.position-sub', `#${trade.tradeId} · ${ago(trade.openedAt)}`);
    setText(card, '.upl', fmtMoney(trade.unrealizedPL), sign(trade.unrealizedPL));
    setText(card, '.price-sub', trade.price !== undefined ? `opened at ${trade.price}` : trade.onServer === 'open' ? '' : 'not open on the server');
  } else {
    setText(card, '.position', 'flat', 'flat');
    setText(card, '.position-sub', summary.trades.trades.length > 0 ? 'closing: awaiting confirmation' : 'no trade open');
    setText(card, '.upl', '—', 'flat');
    setText(card, '.price-sub', '');
  }
  const last = summary.lastTick;
  if (last) {
    setText(card, '.last-tick', last.outcome === 'ok' ? (last.signal ?? 'ok') : last.outcome, last.outcome === 'ok' ? 'pos' : 'neg');
    setText(card, '.last-tick-sub', `${ago(last.at)} · ${last.latencyMs ?? last.ms} ms`);
  } else {
    setText(card, '.last-tick', 'waiting', 'flat');
    setText(card, '.last-tick-sub', `next on ${summary.schedule}`);
  }
  if (!detail) return;
  const point = detail.equity.at(-1);
  const equity = point ? point.realized + point.unrealized : undefined;
  setText(card, '.equity', fmtMoney(equity), sign(equity));
  setText(card, '.equity-sub', point ? `realised ${fmtMoney(point.realized)}` : 'no look yet');
  drawChart(`${summary.id}:equity`, card.querySelector('.equity-chart'), equityDatasets(detail), 'equity');
  drawChart(`${summary.id}:latency`, card.querySelector('.latency-chart'), latencyDatasets(detail), 'ms');
  const errors = detail.ticks.filter((t) => t.error).slice(-20).reverse();
  card.querySelector('.error-count').textContent = errors.length ? `(${errors.length})` : '(none)';
  card.querySelector('.errors').replaceChildren(
    ...errors.map((t) => {
      const li = document.createElement('li');
      const time = document.createElement('time');
      time.textContent = fmtTime(Date.parse(t.at));
      li.append(time, t.error);
      return li;
    }),
  );
}

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

async function refresh() {
  const summaryEl = document.getElementById('summary');
  try {
    const [list, ready] = await Promise.all([getJson('/api/bridges'), fetch('/readyz', { cache: 'no-store' }).then((r) => r.json())]);
    const details = await Promise.all(list.bridges.slice(0, DETAIL_LIMIT).map((b) => getJson(`/api/bridges/${encodeURIComponent(b.id)}`).catch(() => undefined)));
    list.bridges.forEach((b, i) => render(b, details[i]));
    const open = list.bridges.filter((b) => b.trades.trades.some((t) => t.onServer === 'open')).length;
    summaryEl.replaceChildren(
      ready.ready ? badge('ready', 'ok') : badge(`not ready: ${ready.problems.map((p) => p.bridge ?? 'store').join(', ')}`, 'bad'),
      badge(`${list.bridges.length} bridge${list.bridges.length === 1 ? '' : 's'}`),
      badge(`${open} in a trade`),
      ...(list.fleet ? [list.fleet.members ? badge(`fleet ${list.fleet.name}: ${list.fleet.members.length} instance${list.fleet.members.length === 1 ? '' : 's'}`) : badge(`fleet ${list.fleet.name}: ${list.fleet.error}`, 'bad')] : []),
    );
    if (list.bridges.length === 0) document.getElementById('bridges').innerHTML = '<p class="empty">No bridge.</p>';
    document.getElementById('updated').textContent = `updated ${fmtTime(Date.now())}`;
  } catch (error) {
    summaryEl.replaceChildren(badge(`unreachable: ${error.message}`, 'bad'));
  }
}

function start() {
  window.Chart.defaults.color = colors.muted;
  window.Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  window.signalBridge = { charts, refresh };
  void refresh();
  setInterval(refresh, REFRESH_MS);
}

document.addEventListener('DOMContentLoaded', start);
