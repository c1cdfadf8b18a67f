// What every page of Foyer shares: calling the API, building DOM safely (text only, never HTML from data),
// ids for idempotent retries, and a calm live region for screen readers.

/** A problem+json answer (docs/api.md#errors), thrown by api(). */
export class Problem extends Error {
  constructor(status, body) {
    super((body && (body.detail || body.title)) || `HTTP ${status}`);
    this.status = status;
    this.code = (body && body.code) || (status === 0 ? 'network' : 'unknown');
    this.errors = (body && body.errors) || [];
    this.retryAfter = null;
  }
}

/**
 * Calls the API; resolves with the JSON body (null for 204), rejects with a Problem. A network failure is a
 * Problem with status 0 and code "network".
 */
export async function api(path, { method = 'GET', body, token, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers } };
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (e) {
    throw new Problem(0, { code: 'network', detail: String(e.message || e) });
  }
  const text = await response.text();
  const json = text ? safeJson(text) : null;
  if (!response.ok) {
    const problem = new Problem(response.status, json);
    problem.retryAfter = Number(response.headers.get('Retry-After')) || null;
    throw problem;
  }
  return json;
}

function safeJson(text) {
  try { return JSON.parse(text); } catch { return null; }
}

/**
 * Builds an element: el('button', {class: 'x', onclick: f, 'aria-label': 'y'}, 'text', child...). Strings become
 * text nodes, so nothing from the server is ever parsed as HTML.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (name === 'class') node.className = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(node, child);
    else node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

/** A random UUID (v4), also on pages served over plain http from another host, where randomUUID is missing. */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * A polite live region that speaks at a calm rate: messages queue and are announced at most one per
 * `gapMs`, and a burst keeps only the latest few, so a screen reader is not flooded by a busy poll.
 */
export function announcer(region, { gapMs = 2000, keep = 3 } = {}) {
  const queue = [];
  let timer = null;
  const next = () => {
    timer = null;
    const message = queue.shift();
    if (message === undefined) return;
    region.textContent = message;
    timer = setTimeout(next, gapMs);
  };
  return (message) => {
    queue.push(message);
    while (queue.length > keep) queue.shift();
    if (!timer) next();
  };
}

/** The event id in the page's address (/e/42, /present/42). */
export function eventIdFromPath() {
  const match = location.pathname.match(/\/(\d+)\/?$/);
  return match ? Number(match[1]) : null;
}

/** Formats an instant for people, in the given language and time zone. */
export function formatTime(iso, language, timeZone, options = { dateStyle: 'medium', timeStyle: 'short' }) {
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}
