// The data calls: same origin, with the tab's API key as a bearer header when one is set.

const KEY = 'taskengine.apiKey';

export const getKey = () => sessionStorage.getItem(KEY);
export const setKey = (key) => sessionStorage.setItem(KEY, key);
export const forgetKey = () => sessionStorage.removeItem(KEY);

/** A failed call: its HTTP status and the problem document's title and detail when there is one. */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail ? `${title}: ${detail}` : title);
    this.status = status;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  const key = getKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not a problem document */ }
    throw new ApiError(response.status, problem.title ?? `HTTP ${response.status}`, problem.detail);
  }
  return response.status === 204 ? null : response.json();
}

/** The alerts, or none while the host has no alerts endpoint (404). */
export async function alerts() {
  try {
    const found = await api('/api/alerts');
    return Array.isArray(found) ? found : (found?.items ?? found?.alerts ?? []);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return [];
    throw e;
  }
}
