// Foyer WebSocket client for browsers (protocol v1, see docs/protocol.md).
//
//   import { FoyerClient } from '/foyer-client.js';
//   const client = new FoyerClient({ token, topics: ['event:42'] });
//   client.addEventListener('message', (e) => show(e.detail));   // {topic, seq, kind, at, data}
//   client.addEventListener('reset', (e) => replace(e.detail));   // {topic, seq, snapshot}
//   client.addEventListener('presence', (e) => count(e.detail));  // {topic, online}
//   client.connect();
//
// It authenticates, subscribes, answers nothing twice, and after a dropped connection reconnects with
// exponential backoff and full jitter, then resumes each topic from the last sequence number it saw, so the
// page gets every missed message once and in order (or a reset when too far behind).
//
// The lobby (docs/protocol.md#lobby): waitInLobby(eventId) joins an event's lobby and resolves with an admission
// token once the attendee's turn comes (at once when the lobby is closed), telling the page its place meanwhile:
//
//   const { admission } = await waitInLobby(42, { onStatus: (s) => show(s.ahead, s.etaSeconds) });
//   await fetch('/api/events/42/registrations', { method: 'POST', headers: { 'Foyer-Admission': admission, ... } });

const PROTOCOL_VERSION = 1;
// close codes after which reconnecting with the same token cannot help
const FATAL_CLOSE_CODES = new Set([1009, 4001, 4003]);
// the live page is full while the lobby is open: the page goes through the lobby, then connects with `admission`
const ADMISSION_REQUIRED = 4007;
// sent too fast (4029): come back, but not soon
const RATE_LIMITED_DELAY_MS = 60000;

export class FoyerClient extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.token attendee token (from registering), organizer API key, or lobby ticket
   * @param {string} [options.admission] the lobby's admission, for an event whose full live page the lobby guards
   * @param {string[]} [options.topics] topics to subscribe to once connected
   * @param {string} [options.url] WebSocket URL; default: /ws on the page's host
   * @param {number} [options.minBackoffMs] first reconnect delay ceiling (default 500)
   * @param {number} [options.maxBackoffMs] largest reconnect delay ceiling (default 30000)
   */
  constructor({ token, admission, topics = [], url, minBackoffMs = 500, maxBackoffMs = 30000 }) {
    super();
    this.token = token;
    this.admission = admission;
    this.url = url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.minBackoffMs = minBackoffMs;
    this.maxBackoffMs = maxBackoffMs;
    this.topics = new Map(topics.map((t) => [t, null])); // topic -> last seq seen (null: none yet)
    this.socket = null;
    this.attempt = 0;
    this.nextId = 0;
    this.stopped = false;
    this.reconnectTimer = null;
    this.welcome = null;
    this.pending = new Map(); // request id -> {resolve, reject, timer}, for request()
  }

  /** Opens the connection (and keeps it open until close()). */
  connect() {
    this.stopped = false;
    if (!this.socket) this.open();
  }

  /** Closes for good: no reconnect. */
  close() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const socket = this.socket;
    this.socket = null;
    this.failPending();
    if (socket) socket.close(1000, 'client closed');
    this.emit('close', { code: 1000, reason: 'client closed' });
  }

  subscribe(topic) {
    if (!this.topics.has(topic)) this.topics.set(topic, null);
    if (this.welcome) this.sendSubscribe(topic);
  }

  unsubscribe(topic) {
    this.topics.delete(topic);
    if (this.welcome) this.send({ type: 'unsubscribe', topic });
  }

  /** Resumes a topic after the given sequence number (one a page stored before a reload); 0: from its start. */
  resumeFrom(topic, seq) {
    this.topics.set(topic, seq);
  }

  /**
   * Sends a request (vote, answer, quiz-state, run-poll, ...) and resolves with the server's reply to it, or
   * rejects with its error frame ({code, message}); with {code: 'disconnected'} when the socket is not open or
   * closes first, and {code: 'timeout'} after timeoutMs. A caller that retries sends the same ids (voteId,
   * answerId), so a request whose reply was lost is not applied twice.
   */
  request(frame, timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const id = this.welcome ? this.send(frame) : null;
      if (id === null) {
        reject({ code: 'disconnected', message: 'not connected' });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject({ code: 'timeout', message: `no answer within ${timeoutMs} ms` });
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** The last sequence number seen per topic (a page may store it to resume after a reload). */
  positions() {
    return Object.fromEntries(this.topics);
  }

  open() {
    clearTimeout(this.reconnectTimer);
    this.welcome = null;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    // events of a socket that has since been replaced are ignored
    socket.onopen = () => socket === this.socket && this.send({ type: 'hello', v: PROTOCOL_VERSION, token: this.token,
      ...(this.admission ? { admission: this.admission } : {}) });
    socket.onmessage = (event) => socket === this.socket && this.onFrame(JSON.parse(event.data));
    socket.onclose = (event) => socket === this.socket && this.onClose(event);
  }

  onFrame(frame) {
    const waiting = frame.re !== undefined && this.pending.get(frame.re);
    if (waiting) {
      this.pending.delete(frame.re);
      clearTimeout(waiting.timer);
      if (frame.type === 'error') waiting.reject(frame);
      else waiting.resolve(frame);
    }
    switch (frame.type) {
      case 'welcome':
        this.welcome = frame;
        this.attempt = 0;
        this.emit('open', frame);
        if (frame.lobby) this.lobbyTicket(frame.lobby);
        for (const topic of this.topics.keys()) this.sendSubscribe(topic);
        break;
      case 'lobby-ticket':
        this.lobbyTicket(frame);
        break;
      case 'message': {
        const last = this.topics.get(frame.topic);
        if (last !== undefined && (last === null || frame.seq > last)) {
          this.topics.set(frame.topic, frame.seq);
          this.emit('message', frame);
        }
        break;
      }
      case 'reset':
        if (this.topics.has(frame.topic)) {
          this.topics.set(frame.topic, frame.seq);
          this.emit('reset', frame);
        }
        break;
      case 'subscribed':
        if (this.topics.has(frame.topic)) {
          const last = this.topics.get(frame.topic);
          if (last === null || frame.seq > last) this.topics.set(frame.topic, frame.seq);
          this.emit('subscribed', frame);
        }
        break;
      case 'presence':
        this.emit('presence', frame);
        break;
      case 'reconnect':
        // the node is leaving: come back after the delay it chose, to spread the returning crowd
        this.serverDelayMs = frame.afterMs;
        break;
      case 'error':
        this.emit('error', frame);
        break;
      default:
        break;
    }
  }

  onClose(event) {
    this.socket = null;
    this.failPending();
    this.emit('close', { code: event.code, reason: event.reason });
    if (this.stopped) return;
    if (event.code === ADMISSION_REQUIRED) {
      this.emit('admission-required', { code: event.code, reason: event.reason });
      return;
    }
    if (FATAL_CLOSE_CODES.has(event.code)) {
      this.emit('fatal', { code: event.code, reason: event.reason });
      return;
    }
    let delay = this.serverDelayMs != null ? this.serverDelayMs : this.backoff();
    if (event.code === 4029) delay = Math.max(delay, RATE_LIMITED_DELAY_MS);
    this.serverDelayMs = null;
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  failPending() {
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject({ code: 'disconnected', message: 'the connection closed before the answer' });
    }
    this.pending.clear();
  }

  /** Exponential backoff with full jitter: a random delay up to a ceiling that doubles per failed attempt. */
  backoff() {
    const ceiling = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** this.attempt);
    this.attempt += 1;
    return Math.floor(Math.random() * ceiling);
  }

  sendSubscribe(topic) {
    const since = this.topics.get(topic);
    const request = { type: 'subscribe', topic };
    if (since !== null && since !== undefined) request.since = since;
    this.send(request);
  }

  send(request) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return null;
    const id = String(++this.nextId);
    this.socket.send(JSON.stringify({ ...request, id }));
    return id;
  }

  /** A waiting socket's renewed ticket: kept to reconnect with (an old one expires), and told to the page. */
  lobbyTicket(status) {
    if (status.ticket) this.token = status.ticket;
    this.emit('lobby-ticket', status);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}

/**
 * Joins an event's lobby and waits for the attendee's turn over a waiting socket, whose "now serving" messages
 * give the place, the places ahead and the wait; resolves with {admission, expiresAt} once the ticket is exchanged
 * (at once when the lobby is closed). A ticket that expired or a lobby that cannot be joined rejects.
 *
 * @param {number} eventId
 * @param {object} [options]
 * @param {string} [options.email] counted against the per-email limit of joins
 * @param {string} [options.ticket] a ticket kept from an earlier wait (a page reloaded): its place is kept if it is
 *   still valid, else the lobby is joined again
 * @param {(ticket: string) => void} [options.onTicket] each new or renewed ticket, for the page to keep
 * @param {(status: {place, serving, ahead, etaSeconds, paused, open}) => void} [options.onStatus] each change
 * @param {string} [options.base] the server's origin (default: the page's)
 * @param {string} [options.url] WebSocket URL (default: /ws on the page's host)
 */
export async function waitInLobby(eventId, { email, ticket, onTicket = () => {}, onStatus = () => {}, base = '', url } = {}) {
  const lobby = `${base}/api/events/${eventId}/lobby`;
  // a ticket kept from before a reload keeps its place, unless it expired meanwhile: then join again, at the back
  const kept = ticket ? await answer(fetch(lobby, { headers: { 'Foyer-Lobby-Ticket': ticket } })).catch(() => null) : null;
  const joined = kept || await answer(fetch(lobby, { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(email ? { email } : {}) }));
  if (joined.status === 'admitted') return { admission: joined.admission, expiresAt: joined.expiresAt };
  onTicket(joined.ticket);
  let status = joined;
  const client = new FoyerClient({ url, token: joined.ticket, topics: [`lobby:${eventId}`] });
  return new Promise((resolve, reject) => {
    let exchanging = false;
    const stop = (settle, value) => { client.close(); settle(value); };
    const tell = () => {
      const place = status.place;
      const ahead = place == null ? null : Math.max(0, place - status.serving - 1);
      onStatus({ place, serving: status.serving, ahead, paused: status.paused, open: status.open,
        etaSeconds: ahead == null || status.paused || !status.open ? null : (ahead + 1) / status.ratePerSecond });
      // the line closed (everyone in it is served) or reached this place: exchange the latest ticket
      if (!exchanging && (status.open === false || (place != null && place <= status.serving))) {
        exchanging = true;
        answer(fetch(`${lobby}/admission`, { method: 'POST', headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ ticket: client.token }) }))
          .then((admitted) => stop(resolve, { admission: admitted.admission, expiresAt: admitted.expiresAt }))
          .catch((problem) => {
            exchanging = false;
            if (problem.code !== 'not-your-turn') stop(reject, problem);
          });
      }
    };
    client.addEventListener('lobby-ticket', (e) => {
      status = { ...status, ...e.detail };
      if (e.detail.ticket) onTicket(e.detail.ticket);
      tell();
    });
    client.addEventListener('message', (e) => {
      if (e.detail.kind === 'lobby') { status = { ...status, ...e.detail.data }; tell(); }
    });
    client.addEventListener('error', (e) => {
      if (e.detail.code === 'ticket-expired' || e.detail.code === 'not-found') stop(reject, e.detail);
    });
    client.addEventListener('fatal', (e) => stop(reject, { code: 'unauthorized', detail: e.detail.reason }));
    client.connect();
    tell();
  });
}

/** The JSON body of a response, or its problem+json as the rejection. */
async function answer(request) {
  const response = await request;
  const body = await response.json();
  if (!response.ok) throw body;
  return body;
}
