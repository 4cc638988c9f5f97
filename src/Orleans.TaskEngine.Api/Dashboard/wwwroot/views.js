// The overview: counts first, then queues, workers, agents, alerts and the task lists.
import { el, fillRows, byTestId, ago, timeCell, statusBadge, taskLink } from './dom.js';
import { drawThroughput } from './chart.js';

const PRIORITIES = ['urgent', 'high', 'normal', 'low'];

const sum = (items, pick) => items.reduce((total, item) => total + (pick(item) ?? 0), 0);

/** A load meter: in use over slots, as text and a bar. */
function load(used, slots) {
  const share = slots > 0 ? Math.min(1, used / slots) : 0;
  const meter = el('meter', { min: 0, max: 1, value: share.toFixed(3), high: 0.85 });
  return el('td', { class: 'load' }, meter, ` ${used}/${slots}`);
}

export function renderCounts({ queues, workers, agents, throughput, alerts }) {
  const counts = {
    pending: sum(queues, (q) => q.pending),
    running: sum(queues, (q) => q.running),
    completed: throughput.completed,
    failed: throughput.failed,
    workers: workers.filter((w) => w.active).length,
    agents: agents.filter((a) => a.state === 'active').length,
    alerts: alerts.filter((a) => a.state === 'firing').length,
  };
  for (const [name, value] of Object.entries(counts)) byTestId(`count-${name}`).textContent = String(value);
  byTestId('count-alerts').parentElement.classList.toggle('bad', counts.alerts > 0);
}

export function renderQueues(queues) {
  const rows = queues.map((q) => el('tr', { 'data-queue': q.queue },
    el('td', {}, q.queue),
    ...PRIORITIES.map((p) => el('td', { class: 'num', 'data-priority': p }, q.pendingByPriority?.[p] ?? 0)),
    el('td', { class: 'num', 'data-testid': 'queue-running' }, q.running),
    el('td', { class: 'num' }, q.freeSlots),
    el('td', { title: q.oldestPendingSince ?? '' }, q.oldestPendingSince ? ago(q.oldestPendingSince) : '–'),
  ));
  fillRows(byTestId('queues'), rows, 'No queue yet: submit a task.', 8);
}

export function renderThroughput(throughput) {
  drawThroughput(byTestId('throughput'), throughput.perMinute);
}

export function renderWorkers(workers) {
  const rows = workers.map((w) => el('tr', { class: w.active ? '' : 'inactive' },
    el('td', { title: w.workerId }, w.workerId),
    load(w.runningTaskIds.length, w.concurrency),
    el('td', { class: 'num' }, w.completed),
    el('td', { class: 'num' }, w.failed),
  ));
  fillRows(byTestId('workers'), rows, 'No worker.', 4);
}

export function renderAgents(agents) {
  const rows = agents.map((a) => el('tr', { class: a.state === 'active' ? '' : 'inactive' },
    el('td', { title: a.id }, a.name),
    el('td', {}, a.state),
    load(a.slotsInUse, a.concurrency),
    el('td', {}, (a.taskTypes ?? []).join(', ')),
    timeCell(a.lastHeartbeat),
  ));
  fillRows(byTestId('agents'), rows, 'No agent registered.', 5);
}

export function renderAlerts(alerts) {
  const items = alerts.map((a) => el('li', { class: `alert alert-${a.state}`, 'data-testid': 'alert' },
    el('strong', {}, a.name), ' ', el('span', { class: 'status' }, a.state), ' ',
    el('span', { title: a.since ?? '' }, a.since ? `since ${ago(a.since)}` : ''), ' ',
    a.message ?? '',
    Object.keys(a.labels ?? {}).length > 0
      ? el('span', { class: 'labels' }, ` (${Object.entries(a.labels).map(([k, v]) => `${k}=${v}`).join(', ')})`)
      : null));
  byTestId('alerts').replaceChildren(...(items.length > 0 ? items : [el('li', { class: 'empty' }, 'No alerts.')]));
}

/** A list of task summaries; the time column is created or finished time, named by timeLabel. */
export function renderTasks(testId, tasks, timeLabel, timeOf) {
  const table = byTestId(testId);
  if (!table.tHead) {
    const columns = ['Task', 'Type', 'Queue', 'Priority', 'Status', 'Attempts', timeLabel, 'Error'];
    table.append(el('thead', {}, el('tr', {}, ...columns.map((c) => el('th', {}, c)))), el('tbody'));
  }
  const rows = tasks.map((t) => el('tr', { 'data-task-id': t.id, 'data-testid': 'task-row' },
    el('td', {}, taskLink(t.id)),
    el('td', {}, t.type),
    el('td', {}, t.queue),
    el('td', {}, t.priority),
    el('td', {}, statusBadge(t.status)),
    el('td', { class: 'num', 'data-testid': 'task-attempts' }, t.attempts),
    timeCell(timeOf(t)),
    el('td', { class: 'error', 'data-testid': 'task-error', title: t.lastError?.message ?? '' },
      t.lastError ? `${t.lastError.kind}: ${t.lastError.message}` : ''),
  ));
  fillRows(table, rows, 'No task.', 8);
}
