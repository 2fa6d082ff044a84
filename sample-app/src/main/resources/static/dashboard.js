// The live dashboard: polls /api/dashboard/pools (the futures endpoint's data, served on the application's
// port: the actuator has a port of its own) and /api/jobs once a second and draws what it reads.
// Plain browser JavaScript, no build step; Chart.js (vendored in vendor/) draws the pending/running history.
'use strict';

const POLL_MS = 1000;
const HISTORY = 60;                 // samples kept per chart: one minute at one poll a second
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
  const canvas = el('canvas', { 'aria-label': 'pending and running over the last minute', role: 'img' });
  const workerList = el('div', { class: 'worker-list mono' });
  const config = el('div', { class: 'config mono' });
  const cluster = createClusterPanel();
  const card = el('article', { class: 'pool', 'data-name': name },
    el('div', { class: 'pool-head' }, el('h3', { text: name }), kind, state),
    broken,
    el('div', { class: 'stats' }, workers.node, running.node, pending.node, submitted.node),
    el('div', { class: 'load', title: 'running vs pending, against the pool size' }, loadRunning, loadPending),
    el('div', { class: 'legend' },
      el('span', {}, el('i', { style: 'background: var(--running)' }), 'running'),
      el('span', {}, el('i', { style: 'background: var(--pending)' }), 'pending'),
      el('span', { class: 'outcomes' }, 'completed: ', success, ' success · ', failure, ' failure · ', cancelled, ' cancelled')),
    el('div', { class: 'chart' }, canvas),
    workerList,
    cluster.node,
    config);
  $('#pools').append(card);

  let chart = null;
  if (window.Chart) {
    chart = new Chart(canvas, {
      type: 'line',
      data: {
        labels: Array(HISTORY).fill(''),
        datasets: [
          { label: 'running', data: Array(HISTORY).fill(null), borderColor: '#2f6fde', backgroundColor: 'rgba(47,111,222,0.12)', fill: true },
          { label: 'pending', data: Array(HISTORY).fill(null), borderColor: '#f0a020', backgroundColor: 'rgba(240,160,32,0.10)', fill: true },
        ],
      },
      options: {
        animation: false, maintainAspectRatio: false, responsive: true,
        elements: { point: { radius: 0 }, line: { borderWidth: 2, tension: 0.25 } },
        plugins: { legend: { display: false }, tooltip: { enabled: false } },
        scales: {
          x: { display: false },
          y: { beginAtZero: true, suggestedMax: 4, ticks: { precision: 0, maxTicksLimit: 4, font: { size: 10 } } },
        },
      },
    });
  }
  const entry = { card, kind, state, workers, running, pending, submitted, loadRunning, loadPending,
    success, failure, cancelled, broken, workerList, cluster, config, chart };
  pools.set(name, entry);
  return entry;
}

const MAX_WORKER_CHIPS = 8;

// One chip per worker: its pid (process pools), thread name, or member address and pid (cluster), and the
// calls it has done; busy ones stand out.
function renderWorkers(container, details, kind) {
  const chips = details.slice(0, MAX_WORKER_CHIPS).map(w => {
    const who = kind === 'cluster' ? `${w.name ?? '?'}${w.pid != null ? ' · pid ' + w.pid : ''}`
      : w.pid != null ? 'pid ' + w.pid : (w.name ?? '?');
    const done = w.tasksCompleted ?? w.tasks ?? 0;
    return el('span', { class: 'chip' + (w.busy ? ' busy' : ''), title: w.busy ? 'running a call' : 'idle' },
      `${who} · ${done} done`);
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
    p.config.textContent = settings.join(' · ');
    p.config.title = settings.join('\n');
    if (p.chart) {
      const [r, q] = p.chart.data.datasets;
      r.data.push(running); r.data.shift();
      q.data.push(pending); q.data.shift();
      p.chart.update('none');
    }
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
    const [futures, jobs] = await Promise.all([getJson('api/dashboard/pools'), getJson('api/jobs')]);
    renderPools(futures.executors ?? {});
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
    return `@Async returned "${r.message}" on thread ${r.thread}`;
  }));
  $('#start-job').addEventListener('click', e => run(e.currentTarget, async () => {
    const count = Number($('#job-count').value || 2000);
    const job = await getJson('api/jobs?count=' + encodeURIComponent(count), { method: 'POST' });
    return `Started job #${job.id}: ${job.total} prime checks from ${job.start} on the process pool.`;
  }));
  // The actuator links point at the management server's own port.
  getJson('api/dashboard/actuator').then(r => {
    for (const a of document.querySelectorAll('a.actuator')) a.href = r.actuator + a.dataset.path;
  }).catch(() => {});
  poll();
  setInterval(poll, POLL_MS);
}

document.addEventListener('DOMContentLoaded', wire);
