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

const PROTOCOL_VERSION = 1;
// close codes after which reconnecting with the same token cannot help
const FATAL_CLOSE_CODES = new Set([1009, 4001, 4003]);
// sent too fast (4029): come back, but not soon
const RATE_LIMITED_DELAY_MS = 60000;

export class FoyerClient extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.token attendee token (from registering) or organizer API key
   * @param {string[]} [options.topics] topics to subscribe to once connected
   * @param {string} [options.url] WebSocket URL; default: /ws on the page's host
   * @param {number} [options.minBackoffMs] first reconnect delay ceiling (default 500)
   * @param {number} [options.maxBackoffMs] largest reconnect delay ceiling (default 30000)
   */
  constructor({ token, topics = [], url, minBackoffMs = 500, maxBackoffMs = 30000 }) {
    super();
    this.token = token;
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
    socket.onopen = () => socket === this.socket && this.send({ type: 'hello', v: PROTOCOL_VERSION, token: this.token });
    socket.onmessage = (event) => socket === this.socket && this.onFrame(JSON.parse(event.data));
    socket.onclose = (event) => socket === this.socket && this.onClose(event);
  }

  onFrame(frame) {
    switch (frame.type) {
      case 'welcome':
        this.welcome = frame;
        this.attempt = 0;
        this.emit('open', frame);
        for (const topic of this.topics.keys()) this.sendSubscribe(topic);
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
    this.emit('close', { code: event.code, reason: event.reason });
    if (this.stopped) return;
    if (FATAL_CLOSE_CODES.has(event.code)) {
      this.emit('fatal', { code: event.code, reason: event.reason });
      return;
    }
    let delay = this.serverDelayMs != null ? this.serverDelayMs : this.backoff();
    if (event.code === 4029) delay = Math.max(delay, RATE_LIMITED_DELAY_MS);
    this.serverDelayMs = null;
    this.reconnectTimer = setTimeout(() => this.open(), delay);
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

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
