// One task: its fields, errors and history in order, with Cancel and Retry. Opened by #task=<id> in the address.
import { el, byTestId, ago, statusBadge } from './dom.js';
import { api, ApiError } from './api.js';

const FINISHED = ['completed', 'failed', 'cancelled'];
const RETRYABLE = ['failed', 'cancelled'];

/** The open task's id from the address, or null. */
export function openTaskId() {
  const match = /^#task=(.+)$/.exec(location.hash);
  return match ? decodeURIComponent(match[1]) : null;
}

/** The task and its history; the task alone may be gone (retention) while its history is still kept. */
export async function loadDetail(id) {
  const path = `/api/tasks/${encodeURIComponent(id)}`;
  const [task, history] = await Promise.all([orNull(api(path)), orNull(api(`${path}/history`))]);
  if (!task && !history) throw new ApiError(404, `No task ${id}`);
  return { id, task, history };
}

async function orNull(call) {
  try { return await call; } catch (e) { if (e instanceof ApiError && e.status === 404) return null; throw e; }
}

let message = '';

const closeLink = () => el('a', { href: '#', class: 'close', 'data-testid': 'detail-close' }, 'close ×');

/** Draws the panel; onChanged reloads after an action. */
export function renderDetail({ id, task, history }, onChanged) {
  const panel = byTestId('task-detail');
  const summary = task ?? history.summary;
  const events = history?.events ?? task?.history ?? [];
  const field = (label, value, testId) => [el('dt', {}, label), el('dd', { 'data-testid': testId }, value ?? '–')];
  const when = (iso) => (iso ? `${iso} (${ago(iso)})` : null);
  const errors = task?.errors ?? (summary.lastError ? [summary.lastError] : []);

  // replaceChildren would write a null as the text "null": the optional parts are left out instead.
  panel.replaceChildren(...[
    el('header', {},
      el('h2', {}, 'Task ', el('code', { 'data-testid': 'detail-id' }, id)),
      closeLink()),
    el('div', { class: 'actions' },
      el('button', { type: 'button', 'data-testid': 'detail-cancel', disabled: FINISHED.includes(summary.status),
        onclick: () => act(id, 'cancel', onChanged) }, 'Cancel'),
      el('button', { type: 'button', 'data-testid': 'detail-retry', disabled: !RETRYABLE.includes(summary.status),
        onclick: () => act(id, 'retry', onChanged) }, 'Retry'),
      el('span', { class: 'message', 'data-testid': 'detail-message' }, message)),
    el('dl', {},
      field('Status', statusBadge(summary.status, 'detail-status')),
      field('Attempts', String(summary.attempts), 'detail-attempts'),
      field('Max attempts', task?.maxAttempts),
      field('Type', summary.type), field('Queue', summary.queue), field('Priority', summary.priority),
      field('Created by', summary.createdBy), field('Created', when(summary.createdAt)),
      field('Started', when(summary.startedAt)), field('Finished', when(summary.finishedAt)),
      field('Worker or agent', task?.assignedTo), field('Tags', (summary.tags ?? []).join(', ') || null)),
    errors.length > 0 ? el('h3', {}, 'Errors') : null,
    errors.length > 0 ? el('ul', { class: 'errors', 'data-testid': 'detail-errors' },
      ...errors.map((e) => el('li', {}, e.attempt ? `attempt ${e.attempt}, ` : '', `${e.kind}: ${e.message}`))) : null,
    task?.result !== undefined ? el('h3', {}, 'Result') : null,
    task?.result !== undefined ? el('pre', { 'data-testid': 'detail-result' }, JSON.stringify(task.result, null, 2)) : null,
    task ? el('h3', {}, 'Payload') : null,
    task ? el('pre', {}, JSON.stringify(task.payload, null, 2)) : null,
    el('h3', {}, 'History'),
    el('ol', { class: 'history', 'data-testid': 'detail-history' },
      ...events.map((e) => el('li', { 'data-testid': 'history-event', 'data-sequence': e.sequence },
        el('span', { class: 'seq' }, `#${e.sequence}`), ' ',
        el('time', { title: e.at }, new Date(e.at).toLocaleTimeString()), ' ',
        e.kind === 'transition' ? statusBadge(e.status, 'history-status') : el('span', { class: 'kind' }, e.kind), ' ',
        e.message ?? '',
        e.actor && e.actor !== 'system' ? el('span', { class: 'actor' }, ` by ${e.actor}`) : null))),
  ].filter((part) => part !== null));
  panel.hidden = false;
}

/** A task id that names nothing (mistyped, or past the history's retention). */
export function renderMissing(id) {
  const panel = byTestId('task-detail');
  panel.replaceChildren(
    el('header', {}, el('h2', {}, 'No task ', el('code', { 'data-testid': 'detail-id' }, id)), closeLink()),
    el('p', {}, 'The engine knows no task by this id, or its history is past retention.'));
  panel.hidden = false;
}

export function closeDetail() {
  message = '';
  byTestId('task-detail').hidden = true;
}

async function act(id, action, onChanged) {
  try {
    const answer = await api(`/api/tasks/${encodeURIComponent(id)}/${action}`, { method: 'POST' });
    message = answer?.message ?? `${action} sent`;
  } catch (e) {
    message = e.message;
  }
  await onChanged();
}

/** A new task opened: the last one's action message is not this one's. */
export function resetMessage() {
  message = '';
}
