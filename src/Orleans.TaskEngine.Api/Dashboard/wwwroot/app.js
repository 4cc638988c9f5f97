// The task dashboard: polls the API every 2 s (a browser's EventSource cannot send the key) and redraws.
import { byTestId } from './dom.js';
import { api, alerts, getKey, setKey, forgetKey, ApiError } from './api.js';
import { renderCounts, renderQueues, renderThroughput, renderWorkers, renderAgents, renderAlerts, renderTasks } from './views.js';
import { openTaskId, loadDetail, renderDetail, renderMissing, closeDetail, resetMessage } from './detail.js';

const INTERVAL_MS = 2000;
let timer = null;
let running = false;
let again = false;

async function refresh() {
  // The throughput is counted by the store a minute at a time (GET /api/stats/throughput), not read from the report
  // (GET /api/stats reads every task of its window): cheap enough for every tab to poll.
  const [queues, workers, agents, latest, failed, throughput, firing] = await Promise.all([
    api('/api/queues'), api('/api/workers'), api('/api/agents'),
    api('/api/tasks?limit=20'), api('/api/tasks?status=failed&limit=20'),
    api('/api/stats/throughput?window=15m'), alerts(),
  ]);
  renderCounts({ queues, workers, agents, throughput, alerts: firing });
  renderQueues(queues);
  renderThroughput(throughput);
  renderWorkers(workers);
  renderAgents(agents);
  renderAlerts(firing);
  renderTasks('latest-tasks', latest.items, 'Created', (t) => t.createdAt);
  renderTasks('failed-tasks', failed.items, 'Finished', (t) => t.finishedAt);
  await refreshDetail();
}

async function refreshDetail() {
  const id = openTaskId();
  if (!id) {
    closeDetail();
    return;
  }

  try {
    renderDetail(await loadDetail(id), poll);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      renderMissing(id);
      return;
    }
    throw e;
  }
}

/**
 * One refresh now, then the next one INTERVAL_MS after it ends: calls never pile up behind a slow host. A call while
 * one runs (a click) asks for another right after it.
 */
async function poll() {
  clearTimeout(timer);
  if (running) {
    again = true;
    return;
  }
  running = true;
  again = false;
  const live = byTestId('live-state');
  try {
    await refresh();
    showDashboard();
    live.textContent = `live · updated ${new Date().toLocaleTimeString()}`;
    live.className = 'live ok';
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      askForKey(getKey() ? 'That key was refused.' : '');
      return;
    }
    if (e instanceof ApiError && e.status === 403) {
      // An agent-only key: the dashboard needs the submitter or admin role.
      askForKey(e.message);
      return;
    }
    live.textContent = `not updated: ${e.message}`;
    live.className = 'live bad';
  } finally {
    running = false;
  }
  timer = setTimeout(poll, again ? 0 : INTERVAL_MS);
}

function showDashboard() {
  byTestId('key-form').hidden = true;
  byTestId('dashboard').hidden = false;
  byTestId('forget-key').hidden = !getKey();
}

function askForKey(error) {
  clearTimeout(timer);
  forgetKey();
  byTestId('dashboard').hidden = true;
  byTestId('forget-key').hidden = true;
  byTestId('key-error').textContent = error;
  byTestId('key-form').hidden = false;
  byTestId('key-input').focus();
  const live = byTestId('live-state');
  live.textContent = 'waiting for a key';
  live.className = 'live';
}

byTestId('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = byTestId('key-input');
  setKey(input.value.trim());
  input.value = '';
  poll();
});

byTestId('forget-key').addEventListener('click', () => askForKey(''));

window.addEventListener('hashchange', () => {
  resetMessage();
  if (!openTaskId() && location.hash === '#') history.replaceState(null, '', location.pathname);
  poll();
});

poll();
