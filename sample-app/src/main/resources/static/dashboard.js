// The live dashboard: polls /api/dashboard/pools (the futures endpoint's data, served on the application's
// port: the actuator has a port of its own) and /api/jobs once a second and draws what it reads.
// Plain browser JavaScript, no build step; Chart.js (vendored in vendor/) draws the pending/running history.
'use strict';

const POLL_MS = 1000;
const EVENTS_MS = 2000;
const HISTORY = 300;                // samples kept per chart: five minutes of the server's 1 s samples
let historySince = 0;               // time of the newest history sample drawn (epoch ms)
const pools = new Map();            // bean name -> {card, fields, chart, history}

const $ = (selector, root = document) => root.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function stat(cls, label) {
  const value = el('span', { class: 'value', text: '–' });
  return { node: el('div', { class: 'stat ' + cls }, el('span', { class: 'label', text: label }), value), value };
}

function workerCount(pool) {
  return Array.isArray(pool.workers) ? pool.workers.length : Number(pool.workers ?? 0);
}

function workerDetails(pool) {
  if (Array.isArray(pool.workers)) return pool.workers;
  if (Array.isArray(pool.workerDetails)) return pool.workerDetails;
  return [];
}

function createPool(name) {
  const kind = el('span', { class: 'badge kind' });
  const state = el('span', { class: 'badge state' });
  const workers = stat('workers', 'workers');
  const running = stat('running', 'running');
  const pending = stat('pending', 'pending');
  const submitted = stat('submitted', 'submitted');
  const loadRunning = el('div', { class: 'running' });
  const loadPending = el('div', { class: 'pending' });
  const success = el('b', { class: 'success', text: '0' });
  const failure = el('b', { class: 'failure', text: '0' });
  const cancelled = el('b', { class: 'cancelled', text: '0' });
  const broken = el('p', { class: 'broken-reason', hidden: '' });
  const canvas = el('canvas', { 'aria-label': 'running (left axis) and pending (right axis) over the last minutes', role: 'img' });
  const latency = el('div', { class: 'latency', title: 'from the futures.executor.queue.wait and futures.executor.execution timers (about the last two minutes)' });
  const sentAhead = el('p', { class: 'sent-ahead', hidden: '' });
  const workerList = el('div', { class: 'worker-list mono' });
  const config = el('div', { class: 'config mono' });
  const cluster = createClusterPanel();
  const card = el('article', { class: 'pool', 'data-name': name },
    el('div', { class: 'pool-head' }, el('h3', { text: name }), kind, state),
    broken,
    el('div', { class: 'stats' }, workers.node, running.node, pending.node, submitted.node),
    el('div', { class: 'load', title: 'running vs pending, against the pool size' }, loadRunning, loadPending),
    el('div', { class: 'legend' },
      el('span', {}, el('i', { style: 'background: var(--running)' }), 'running (left axis)'),
      el('span', {}, el('i', { style: 'background: var(--pending)' }), 'pending (right axis)'),
      el('span', { class: 'outcomes' }, 'completed: ', success, ' success · ', failure, ' failure · ', cancelled, ' cancelled')),
    sentAhead,
    el('div', { class: 'chart' }, canvas),
    latency,
    workerList,
    cluster.node,
    config);
  $('#pools').append(card);

  let chart = null;
  if (window.Chart) {
    chart = new Chart(canvas, {
      type: 'line',
      data: {
        labels: [],
        datasets: [
          { label: 'running', yAxisID: 'y', data: [], borderColor: '#2f6fde', backgroundColor: 'rgba(47,111,222,0.12)', fill: true },
          { label: 'pending', yAxisID: 'y1', data: [], borderColor: '#f0a020', backgroundColor: 'rgba(240,160,32,0.10)', fill: false },
        ],
      },
      options: {
        animation: false, maintainAspectRatio: false, responsive: true,
        elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0.25 } },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        // Running and pending on separate axes: thousands pending beside a few running would flatten running to 0.
        scales: {
          x: { display: false },
          y: { position: 'left', beginAtZero: true, suggestedMax: 4, ticks: { precision: 0, maxTicksLimit: 4, font: { size: 10 }, color: '#2f6fde' },
            title: { display: true, text: 'running', color: '#2f6fde', font: { size: 10 } } },
          y1: { position: 'right', beginAtZero: true, suggestedMax: 4, grid: { drawOnChartArea: false },
            ticks: { precision: 0, maxTicksLimit: 4, font: { size: 10 }, color: '#c07a00' },
            title: { display: true, text: 'pending', color: '#c07a00', font: { size: 10 } } },
        },
      },
    });
  }
  const entry = { card, kind, state, workers, running, pending, submitted, loadRunning, loadPending,
    success, failure, cancelled, broken, workerList, cluster, config, chart, canvas, latency, sentAhead };
  pools.set(name, entry);
  return entry;
}

const MAX_WORKER_CHIPS = 8;

function duration(ms) {
  const s = Math.floor(ms / 1000);
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm ' + (s % 60) + 's';
  return Math.floor(s / 3600) + 'h ' + Math.floor((s % 3600) / 60) + 'm';
}

// One chip per worker: its pid (process pools), thread name, or member address and pid (cluster), the
// calls it has done, its uptime and (process workers) its used heap; busy ones stand out.
function renderWorkers(container, details, kind) {
  const chips = details.slice(0, MAX_WORKER_CHIPS).map(w => {
    const who = kind === 'cluster' ? `${w.name ?? '?'}${w.pid != null ? ' · pid ' + w.pid : ''}`
      : w.pid != null ? 'pid ' + w.pid : (w.name ?? '?');
    const done = w.tasksCompleted ?? w.tasks ?? 0;
    const parts = [who, `${done} done`];
    const uptime = w.uptimeMillis ?? (w.startedAt ? Date.now() - Date.parse(w.startedAt) : null);
    if (uptime != null && !Number.isNaN(uptime)) parts.push('up ' + duration(uptime));
    // Used heap as the endpoint reports it (process workers, after their first call): never a made-up number.
    const heap = w.usedHeap;
    if (heap != null) parts.push(`heap ${(heap / 1048576).toFixed(0)} MB`);
    return el('span', { class: 'chip' + (w.busy ? ' busy' : ''),
      title: (w.busy ? 'running a call' : 'idle') + (w.startedAt ? ' · started ' + w.startedAt : '') + (heap == null ? ' · used heap not reported' : '') },
      parts.join(' · '));
  });
  if (details.length > MAX_WORKER_CHIPS) chips.push(el('span', { class: 'more', text: `+${details.length - MAX_WORKER_CHIPS} more` }));
  container.replaceChildren(...chips);
}

// Cluster pools only: a button that runs the prime example on the cluster and a bar per process that did work.
function createClusterPanel() {
  const button = el('button', { type: 'button', class: 'run-cluster',
    title: 'GET /api/cluster/primes: is_prime over 200 numbers from 10^12 via the cluster pool\'s map, 10 per call' },
    'Cluster example');
  const summary = el('span', { class: 'cluster-summary', text: 'Members are listed above; run the example to see where the work goes.' });
  const where = el('div', { class: 'where' });
  const node = el('div', { class: 'cluster', hidden: '' }, el('div', { class: 'cluster-head' }, button, summary), where);
  button.addEventListener('click', async () => {
    button.disabled = true;
    summary.textContent = 'Mapping is_prime over 200 numbers on the cluster…';
    try {
      const r = await getJson('api/cluster/primes?start=1000000000000&count=200&chunksize=10');
      summary.textContent = `${r.count} numbers, ${r.primes.length} primes, ${r.elapsedMillis} ms · where the work ran:`;
      renderWhere(where, r);
      show(`is_prime over ${r.count} numbers from ${r.start} on the cluster (chunksize ${r.chunksize}) in `
        + `${r.elapsedMillis} ms; ${r.primes.length} primes:\n${r.primes.join(', ')}\nwhere the work ran: `
        + r.ranOn.map(w => `${w.member} (pid ${w.pid}${w.local ? ', this node' : ''}): ${w.numbers} numbers in ${w.calls} calls`).join('; '));
    } catch (e) {
      summary.textContent = 'Error: ' + e.message;
      where.replaceChildren();
    } finally {
      button.disabled = false;
      poll();
    }
  });
  return { node, button, summary, where };
}

function renderWhere(container, report) {
  const rows = report.ranOn.map(w => {
    const share = 100 * w.numbers / Math.max(report.count, 1);
    return el('div', { class: 'where-row' + (w.local ? ' local' : ''), 'data-pid': String(w.pid) },
      el('span', { class: 'who mono', text: `${w.member} · pid ${w.pid}${w.local ? ' (this)' : ''}` }),
      el('span', { class: 'bar' }, el('i', { style: `width: ${share}%` })),
      el('span', { class: 'count', text: `${w.numbers} numbers · ${w.calls} calls` }));
  });
  container.replaceChildren(...rows);
}

function renderPools(executors) {
  const kindOrder = { thread: 0, process: 1 };
  const rank = name => kindOrder[executors[name].kind] ?? 2;
  const names = Object.keys(executors).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  if (names.length && $('#pools .empty')) $('#pools .empty').remove();
  for (const [name, entry] of pools) {
    if (!(name in executors)) { entry.card.remove(); if (entry.chart) entry.chart.destroy(); pools.delete(name); }
  }
  for (const name of names) {
    const pool = executors[name];
    const p = pools.get(name) || createPool(name);
    const live = workerCount(pool);
    const running = Number(pool.running ?? 0);
    const pending = Number(pool.pending ?? 0);
    p.kind.textContent = pool.kind ?? '?';
    p.state.textContent = pool.state ?? '?';
    p.state.className = 'badge state ' + (pool.state ?? '');
    p.workers.value.textContent = `${live} / ${pool.maxWorkers ?? '?'}`;
    p.running.value.textContent = running;
    p.pending.value.textContent = pending;
    p.submitted.value.textContent = pool.submitted ?? 0;
    const completed = pool.completed ?? {};
    p.success.textContent = completed.success ?? 0;
    p.failure.textContent = completed.failure ?? 0;
    p.cancelled.textContent = completed.cancelled ?? 0;
    const scale = Math.max(Number(pool.maxWorkers ?? 1), running + pending, 1);
    p.loadRunning.style.width = (100 * running / scale) + '%';
    p.loadPending.style.width = (100 * pending / scale) + '%';
    const reason = pool.brokenReason;
    p.broken.hidden = pool.state !== 'broken';
    p.broken.textContent = reason ? 'broken: ' + reason : 'broken';
    renderWorkers(p.workerList, workerDetails(pool), pool.kind);
    p.cluster.node.hidden = pool.kind !== 'cluster';
    const isEmpty = v => v === null || v === '' || (Array.isArray(v) && !v.length)
      || (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length);
    const settings = Object.entries(pool.config ?? {})
      .filter(([, value]) => !isEmpty(value))
      .sort(([a], [b]) => (a === 'maxWorkers' ? -1 : b === 'maxWorkers' ? 1 : a.localeCompare(b)))
      .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(' ') : typeof value === 'object' && value !== null ? JSON.stringify(value) : value}`);
    if (pool.workersStarted != null) settings.unshift(`workersStarted=${pool.workersStarted}`);
    p.config.replaceChildren(...settings.map(text => el('span', { text })));
    p.config.title = settings.join('\n');
    // A process pool sends calls ahead to its workers (CPython's call queue): those count as running too.
    const ahead = pool.kind === 'process' && running > live;
    p.sentAhead.hidden = !ahead;
    if (ahead) {
      p.sentAhead.textContent = `running ${running} > ${live} worker${live === 1 ? '' : 's'}: ${running - live} calls `
        + 'sent ahead, queued at the workers as in CPython\'s call queue, so that a worker never waits for its next call.';
    }
  }
}

// Charts are fed by the server's history (sampled in the app once a second), not by this page's polls: a page
// opened now shows the last minutes at once.
function renderHistory(history) {
  for (const [name, samples] of Object.entries(history.pools ?? {})) {
    const p = pools.get(name);
    if (!p || !samples.length) continue;
    if (p.chart) {
      const [r, q] = p.chart.data.datasets;
      for (const s of samples) {
        p.chart.data.labels.push(new Date(s.t).toLocaleTimeString());
        r.data.push(s.running);
        q.data.push(s.pending);
      }
      const extra = p.chart.data.labels.length - HISTORY;
      if (extra > 0) { p.chart.data.labels.splice(0, extra); r.data.splice(0, extra); q.data.splice(0, extra); }
      p.chart.update('none');
      p.canvas.dataset.points = String(p.chart.data.labels.length);
    }
    if (p.canvas.dataset.firstHistory == null) p.canvas.dataset.firstHistory = String(samples.length);
    historySince = Math.max(historySince, samples[samples.length - 1].t);
  }
  for (const [name, l] of Object.entries(history.latency ?? {})) {
    const p = pools.get(name);
    if (!p) continue;
    const ms = v => v == null ? '–' : v < 10 ? v.toFixed(1) + ' ms' : Math.round(v) + ' ms';
    const row = (label, x) => [el('span', { class: 'label', text: label }),
      el('span', { class: 'value', text: x?.count ? `p50 ${ms(x.p50)} · p95 ${ms(x.p95)} · ${x.count} calls` : 'no calls yet' })];
    p.latency.replaceChildren(...row('queue wait', l.queueWait), ...row('execution', l.execution));
  }
}

const BAD_EVENTS = new Set(['WORKER_DIED', 'CALL_TIMED_OUT', 'CALL_REJECTED', 'POOL_BROKEN']);

// The pools' events, newest first, from the futuresevents endpoint (through /api/dashboard/events).
async function pollEvents() {
  const empty = $('#events-empty');
  const list = $('#events');
  try {
    const response = await fetch('api/dashboard/events', { headers: { Accept: 'application/json' } });
    if (response.status === 404) {
      empty.hidden = false;
      empty.textContent = 'no events endpoint: this app does not expose /actuator/futuresevents';
      list.replaceChildren();
      return;
    }
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    const events = ((await response.json()).events ?? []).slice()
      .sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, 100);
    empty.hidden = events.length > 0;
    empty.textContent = 'No events yet.';
    list.replaceChildren(...events.map(e => el('li', { class: 'event', 'data-type': e.type },
      el('span', { class: 'mono', text: new Date(e.time).toLocaleTimeString() }),
      el('span', { class: 'mono', text: e.pool ?? '' }),
      el('span', { class: 'type' + (BAD_EVENTS.has(e.type) ? ' bad' : ''), text: e.type }),
      el('span', { class: 'detail', text: [e.pid != null ? 'pid ' + e.pid : null, e.reason, e.detail].filter(Boolean).join(' · ') }))));
  } catch (e) {
    empty.hidden = false;
    empty.textContent = 'cannot read the events: ' + e.message;
  }
}

const jobRows = new Map();          // job id -> {row, bar, label, state, done, primes, cancelled, elapsed, cancel}

function createJobRow(job) {
  const bar = el('div', { class: 'progress-bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' });
  const label = el('span', { class: 'progress-label' });
  const state = el('span', { class: 'job-state' });
  const cancel = el('button', { type: 'button', class: 'danger cancel', text: 'Cancel' });
  cancel.addEventListener('click', () => cancelJob(job.id, cancel));
  const cells = {
    done: el('td', { class: 'num' }), primes: el('td', { class: 'num' }), failed: el('td', { class: 'num' }),
    cancelled: el('td', { class: 'num' }), elapsed: el('td', { class: 'num' }),
  };
  const row = el('tr', { class: 'job', 'data-id': job.id },
    el('td', { class: 'mono', text: '#' + job.id }),
    el('td', { class: 'numbers', text: `${job.total.toLocaleString('en-US')} from ${job.start.toLocaleString('en-US')}` }),
    el('td', { class: 'progress-cell' }, el('div', { class: 'progress' }, bar, label)),
    el('td', {}, state), cells.done, cells.primes, cells.failed, cells.cancelled, cells.elapsed,
    el('td', {}, cancel));
  const entry = { row, bar, label, state, cancel, ...cells };
  jobRows.set(job.id, entry);
  return entry;
}

function renderJobs(jobs) {
  const container = $('#jobs');
  if (!jobs.length) return;
  let tbody = $('#jobs tbody');
  if (!tbody) {
    tbody = el('tbody');
    const head = el('tr', {}, ...['job', 'numbers', 'progress', 'state', 'done', 'primes', 'failed', 'cancelled', 'time', '']
      .map((h, i) => el('th', { text: h, style: i >= 4 && i <= 8 ? 'text-align:right' : '' })));
    container.replaceChildren(el('table', { class: 'jobs' }, el('thead', {}, head), tbody));
  }
  const seen = new Set();
  for (const job of jobs) {              // newest first
    seen.add(job.id);
    const r = jobRows.get(job.id) || createJobRow(job);
    const percent = Math.round(1000 * job.progress) / 10;
    r.bar.style.width = percent + '%';
    r.bar.setAttribute('aria-valuenow', String(percent));
    r.bar.className = 'progress-bar ' + job.state;
    r.label.textContent = `${job.done + job.cancelled} / ${job.total} · ${percent}%`;
    r.state.textContent = job.state;
    r.state.className = 'job-state ' + job.state;
    r.state.title = job.error ?? '';
    r.row.dataset.state = job.state;
    r.done.textContent = job.done;
    r.primes.textContent = job.primes;
    r.failed.textContent = job.failed;
    r.cancelled.textContent = job.cancelled;
    r.elapsed.textContent = (job.elapsedMillis / 1000).toFixed(1) + ' s';
    r.cancel.hidden = job.state !== 'running';
    tbody.append(r.row);                 // keeps the server's order
  }
  for (const [id, r] of jobRows) if (!seen.has(id)) { r.row.remove(); jobRows.delete(id); }
}

async function getJson(url, init) {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, ...init });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || `${response.status} ${response.statusText}`);
  return body;
}

let polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  try {
    const [futures, jobs, history] = await Promise.all([getJson('api/dashboard/pools'), getJson('api/jobs'),
      getJson('api/dashboard/history?since=' + historySince)]);
    renderPools(futures.executors ?? {});
    renderHistory(history);
    renderJobs(jobs);
    $('#connection').className = 'dot ok';
    $('#updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    $('#connection').className = 'dot down';
    $('#updated').textContent = 'cannot reach the app: ' + e.message;
  } finally {
    polling = false;
  }
}

function show(text) { $('#output').textContent = text; }

async function run(button, action) {
  button.disabled = true;
  try { show(await action()); } catch (e) { show('Error: ' + e.message); } finally { button.disabled = false; poll(); }
}

async function cancelJob(id, button) {
  button.disabled = true;
  try {
    const job = await getJson('api/jobs/' + encodeURIComponent(id), { method: 'DELETE' });
    show(`Job #${job.id}: cancelled ${job.cancelled} pending checks; running ones finish.`);
  } catch (e) { show('Error: ' + e.message); } finally { poll(); }
}

function wire() {
  $('#run-sleep').addEventListener('click', e => run(e.currentTarget, async () => {
    show('Running long_running_task(2), (3), (4) on the thread pool…');
    const r = await getJson('api/sleep', { method: 'POST' });
    return [`1 second = ${r.secondMillis} ms; submitted ${r.submitted.join(', ')}; results in completion order:`,
      ...r.completed.map(t => `Task returned: ${t.result}   (${t.thread}, ${t.millis} ms)`)].join('\n');
  }));
  $('#run-primes').addEventListener('click', e => run(e.currentTarget, async () => {
    show('Mapping is_prime over 200 numbers on the process pool…');
    const r = await getJson('api/primes?start=1000000000000&count=200&chunksize=20');
    return `is_prime over ${r.count} numbers from ${r.start} (chunksize ${r.chunksize}) in ${r.elapsedMillis} ms; `
      + `${r.primes.length} primes:\n${r.primes.join(', ')}`;
  }));
  $('#run-async').addEventListener('click', e => run(e.currentTarget, async () => {
    const r = await getJson('api/async');
    return `@Async returned "${r.message}" on thread ${r.thread}, trace ${r.traceId}`;
  }));
  $('#start-job').addEventListener('click', e => run(e.currentTarget, async () => {
    const count = Number($('#job-count').value || 2000);
    const job = await getJson('api/jobs?count=' + encodeURIComponent(count), { method: 'POST' });
    return `Started job #${job.id}: ${job.total} prime checks from ${job.start} on the jobs' own process pool.`;
  }));
  // The actuator links point at the management server's own port.
  getJson('api/dashboard/actuator').then(r => {
    for (const a of document.querySelectorAll('a.actuator')) a.href = r.actuator + a.dataset.path;
  }).catch(() => {});
  poll();
  setInterval(poll, POLL_MS);
  pollEvents();
  setInterval(pollEvents, EVENTS_MS);
}

document.addEventListener('DOMContentLoaded', wire);
