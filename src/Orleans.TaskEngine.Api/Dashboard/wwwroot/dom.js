// Small DOM helpers. Every piece of data goes in as text (textContent, setAttribute), never as HTML.

/** An element with attributes and children; string and number children become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces a table body's rows, or shows one row saying it is empty. */
export function fillRows(table, rows, emptyText, columns) {
  const body = table.tBodies[0];
  body.replaceChildren(...(rows.length > 0 ? rows : [el('tr', { class: 'empty' }, el('td', { colspan: columns }, emptyText))]));
}

export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

/** "12 s ago", "3 min ago", "2 h ago", "4 d ago"; empty when there is no time. */
export function ago(iso, now = Date.now()) {
  if (!iso) return '';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** A time cell: how long ago, the exact time on hover. */
export const timeCell = (iso) => el('td', { title: iso ?? '' }, ago(iso));

/** A status badge whose class colours it. */
export const statusBadge = (status, testId = 'task-status') =>
  el('span', { class: `status status-${status}`, 'data-testid': testId }, status);

/** The link that opens a task's detail: one click from any list. Long ids show their end (the start is a time prefix). */
export const taskLink = (id) => el('a', { href: `#task=${encodeURIComponent(id)}`, class: 'task-id', 'data-testid': 'task-link', title: id },
  id.length > 14 ? `…${id.slice(-12)}` : id);
