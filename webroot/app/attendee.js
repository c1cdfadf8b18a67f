// The attendee app (/e/{eventId}): the event and its agenda, registration (through the lobby when it is open),
// then the live event over one WebSocket: announcements, polls, quizzes, and the connection's state.
// Everything the server sends is shown as text (el() never parses HTML).

import { FoyerClient, waitInLobby } from '/foyer-client.js';
import { api, el, fill, uuid, announcer, eventIdFromPath, formatTime } from '/app/common.js';
import { loadMessages } from '/app/i18n.js';
import { signInProviders, currentSession } from '/app/signin.js';
import { COUNTRY_CODES } from '/app/countries.js';

const main = document.getElementById('main');
const connection = document.getElementById('connection');
const languageSelect = document.getElementById('language');
const toasts = document.getElementById('toasts');
const say = announcer(document.getElementById('spoken'));
const eventId = eventIdFromPath();

let m; // the page's Messages (i18n.js)
let event; // the event as GET /api/events/{id} answers
let sessions = [];
let rerender = () => {}; // draws the current view again, in a newly chosen language

// What this device remembers about the attendee of this event.
const stored = {
  get(name, fallback = null) {
    try { return JSON.parse(localStorage.getItem(`foyer.${name}.${eventId}`)) ?? fallback; } catch { return fallback; }
  },
  set(name, value) { localStorage.setItem(`foyer.${name}.${eventId}`, JSON.stringify(value)); },
  remove(name) { localStorage.removeItem(`foyer.${name}.${eventId}`); },
};

boot();

async function boot() {
  m = await loadMessages();
  m.apply();
  fillLanguageChoice();
  languageSelect.addEventListener('change', () => switchLanguage(languageSelect.value));
  if (eventId === null) {
    fill(main, el('p', { class: 'notice bad', role: 'alert' }, m.t('app.noEvent')));
    return;
  }
  await loadEvent();
}

async function loadEvent() {
  try {
    [event, sessions] = await Promise.all([
      api(`/api/events/${eventId}`),
      api(`/api/events/${eventId}/sessions`).then((s) => s.sessions),
    ]);
  } catch (problem) {
    rerender = loadEvent;
    const text = problem.status === 404 ? m.t('app.eventMissing') : m.t('app.unreachable');
    fill(main, el('p', { class: 'notice bad', role: 'alert' }, text),
      problem.status === 404 ? null : el('button', { onclick: loadEvent }, m.t('app.retry')));
    return;
  }
  document.title = `${event.title} · Foyer`;
  const me = stored.get('attendee');
  if (me) {
    live.start(me);
    return;
  }
  if (event.registrationMode === 'sso') await entrance.loadSignIn();
  entrance.show();
}

function fillLanguageChoice() {
  fill(languageSelect, m.languages.map((l) => el('option', { value: l.tag, lang: l.tag, selected: l.tag === m.tag }, l.name)));
}

async function switchLanguage(tag) {
  m = await loadMessages(tag);
  m.apply();
  fillLanguageChoice();
  await live.languageChanged();
  rerender();
}

// ---------------------------------------------------------------------------------------------------------
// Before registering: the event, its agenda, the lobby when it is open, and the registration form.

const entrance = {
  draft: null, // the form's last values, kept across the lobby and a language change
  idempotencyKey: null, // one per submission, kept while it is retried
  session: null, // for an 'sso' event: the person signed in on this browser ({ name, email, csrfToken }), or null
  providers: [], // for an 'sso' event: the sign-in providers open to attendees
  notice: null, // a message to show once above the form (a sign-in that ended)

  /** Who is signed in and where one can sign in; a server without sign-in (404s) leaves both empty. */
  async loadSignIn() {
    const [session, providers] = await Promise.all([currentSession(), signInProviders()]);
    entrance.session = session && session.signedIn ? session : null;
    entrance.providers = providers.filter((provider) => provider.attendees);
  },

  show() {
    rerender = () => {
      // what was typed survives a change of language
      const form = main.querySelector('form');
      if (form && form.elements.consent) entrance.draft = collect(form);
      entrance.show();
    };
    fill(main, eventHeader(), el('div', { class: 'grid' }, agendaCard(false), entrance.registrationCard()));
  },

  registrationCard() {
    const card = el('section', { class: 'card', 'aria-labelledby': 'reg-title' }, el('h2', { id: 'reg-title' }, m.t('reg.title')));
    const registration = event.registration || {};
    if (!registration.open) {
      const opensLater = event.registrationOpensAt && new Date(event.registrationOpensAt) > new Date();
      card.append(el('p', { class: 'notice warn' }, opensLater
        ? m.t('reg.notOpen', { at: when(event.registrationOpensAt) }) : m.t('reg.closed')));
      return card;
    }
    if (registration.seatsLeft === 0) card.append(el('p', { class: 'notice warn' }, m.t('reg.full')));
    else if (registration.seatsLeft != null) card.append(el('p', { class: 'muted' }, m.tn('reg.seatsLeft', registration.seatsLeft)));
    const admission = currentAdmission();
    if (admission) card.append(el('p', { class: 'notice ok', role: 'status' }, m.t('reg.admissionReady', { at: when(admission.expiresAt) })));
    if (entrance.notice) card.append(el('p', { class: 'notice warn', role: 'alert' }, entrance.notice));
    entrance.notice = null;
    if (event.registrationMode === 'sso' && !entrance.session) {
      card.append(entrance.signIn());
      return card;
    }
    card.append(entrance.form());
    // an open lobby is joined before the form is filled, so that nobody types a form only to queue afterwards
    if (!admission) {
      api(`/api/events/${eventId}/lobby`).then((lobby) => {
        if (lobby.open && main.contains(card)) lobbyView.start(() => entrance.show());
      }).catch(() => {});
    }
    return card;
  },

  /** For an 'sso' event before signing in: why, and one link per provider, coming back to this very page. */
  signIn() {
    const part = el('div', { class: 'sign-in' }, el('p', {}, m.t('reg.ssoNote')));
    if (entrance.providers.length === 0) {
      part.append(el('p', { class: 'notice warn', role: 'status' }, m.t('reg.signInUnavailable')));
      return part;
    }
    const back = encodeURIComponent(location.pathname + location.search);
    part.append(el('div', { class: 'sign-in-providers' }, entrance.providers.map((provider) => el('a', {
      class: 'button', href: `/auth/${encodeURIComponent(provider.id)}/login?return=${back}`,
    }, m.t('reg.signInWith', { label: provider.label })))));
    return part;
  },

  form() {
    const draft = entrance.draft || { answers: {} };
    const form = el('form', { novalidate: true, 'aria-describedby': 'reg-status' });
    const summary = el('div', { id: 'reg-status', role: 'alert' });
    form.append(summary);
    if (event.registrationMode === 'sso') {
      // name and email are the sign-in's: shown, not asked
      form.append(el('p', { class: 'notice ok' }, m.t('reg.signedInAs', { name: entrance.session.name || entrance.session.email, email: entrance.session.email })));
    } else {
      form.append(
        textField('name', m.t('reg.name'), 'text', draft.name, { required: true, autocomplete: 'name', maxlength: 200 }),
        textField('email', m.t('reg.email'), 'email', draft.email, { required: true, autocomplete: 'email' }));
    }
    if (event.registrationMode === 'invite') {
      form.append(el('p', { class: 'muted', id: 'f-inviteCode-help' }, m.t('reg.inviteHelp')),
        textField('inviteCode', m.t('reg.inviteCode'), 'text', draft.inviteCode ?? inviteFromAddress(),
          { required: true, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: 64,
            'aria-describedby': 'f-inviteCode-help f-inviteCode-error' }));
    }
    for (const field of event.fields || []) form.append(customField(field, draft.answers[field.id]));
    form.append(el('div', { class: 'field' },
      el('label', { class: 'choice' }, el('input', { type: 'checkbox', id: 'f-consent', name: 'consent', checked: draft.consent,
        'aria-describedby': 'f-consent-error', required: true }), m.t('reg.privacy')),
      el('p', { class: 'error', id: 'f-consent-error' })));
    const submit = el('button', { type: 'submit' }, m.t('reg.submit'));
    form.append(submit);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      entrance.draft = collect(form);
      // the plain mistakes are told at once, in the page's language; the server checks everything again
      const mistakes = check(entrance.draft);
      if (mistakes.length) entrance.refused({ code: 'validation-failed', status: 422, errors: mistakes }, form, summary);
      else entrance.register(form, summary, submit);
    });
    return form;
  },

  async register(form, summary, submit) {
    const body = { ...entrance.draft, language: m.tag };
    entrance.idempotencyKey = entrance.idempotencyKey || uuid();
    const admission = currentAdmission();
    const headers = { 'Idempotency-Key': entrance.idempotencyKey };
    if (admission) headers['Foyer-Admission'] = admission.admission;
    // the session cookie goes along by itself; this token proves the request comes from this page
    if (event.registrationMode === 'sso' && entrance.session) headers['X-CSRF-Token'] = entrance.session.csrfToken;
    submit.disabled = true;
    submit.textContent = m.t('reg.submitting');
    try {
      const registration = await api(`/api/events/${eventId}/registrations`, { method: 'POST', body, headers });
      entrance.idempotencyKey = null;
      // someone signed in who registered before gets their own registration back, token and all
      if (registration.alreadyRegistered && !registration.token) {
        fill(summary, el('p', { class: 'notice warn' }, m.t('reg.already')));
        return;
      }
      // the admission stays for this tab: it also lets the attendee onto a live page the lobby guards
      const me = { token: registration.token, registrationId: registration.id, name: registration.name };
      stored.set('attendee', me);
      entrance.draft = null;
      live.start(me);
    } catch (problem) {
      entrance.refused(problem, form, summary);
    } finally {
      submit.disabled = false;
      submit.textContent = m.t('reg.submit');
    }
  },

  refused(problem, form, summary) {
    const retry = () => {
      const again = main.querySelector('form');
      if (again) again.requestSubmit();
    };
    if (['admission-required', 'admission-expired', 'admission-used', 'invalid-admission'].includes(problem.code)) {
      // the lobby opened (or the admission ran out): wait in line, then send the same registration again
      sessionStorage.removeItem(`foyer.admission.${eventId}`);
      lobbyView.start(() => { entrance.show(); retry(); });
      return;
    }
    if (problem.status === 503 || problem.status === 0) {
      // nothing was stored: the same submission (same Idempotency-Key) goes again after the wait asked for
      const seconds = problem.retryAfter || 2;
      fill(summary, el('p', { class: 'notice warn' }, m.t('reg.busy', { n: seconds })));
      setTimeout(retry, seconds * 1000);
      return;
    }
    entrance.idempotencyKey = null; // refused for good: an edited form is a new submission
    if (['sign-in-required', 'csrf-token-invalid'].includes(problem.code)) {
      // the sign-in ended (or this page's copy of it is stale): ask again who is signed in
      entrance.notice = m.t('reg.signInRequired');
      entrance.loadSignIn().then(() => entrance.show());
      return;
    }
    if (problem.code === 'sign-in-email-missing') {
      fill(summary, el('p', { class: 'notice bad' }, m.t('reg.signInNoEmail')));
      return;
    }
    const invite = INVITE_PROBLEMS[problem.code];
    if (invite) {
      clearErrors(form);
      fill(summary, el('p', { class: 'notice bad' }, m.t(invite)));
      markInvalid(form, 'inviteCode', m.t(invite));
      const field = form.querySelector('#f-inviteCode');
      if (field) field.focus();
      return;
    }
    if (problem.code === 'validation-failed') {
      fill(summary, el('p', { class: 'notice bad' }, m.t('reg.fixErrors')));
      clearErrors(form);
      for (const { field, message } of problem.errors) markInvalid(form, field, message);
      const first = form.querySelector('[aria-invalid=true]');
      if (first) first.focus();
      return;
    }
    fill(summary, el('p', { class: 'notice bad' }, m.t('error.generic', { detail: problem.message })));
  },
};

/** What the page says to each refusal of an invite code (docs/api.md#registration-modes). */
const INVITE_PROBLEMS = {
  'invite-code-required': 'reg.inviteRequired',
  'invite-code-unknown': 'reg.inviteUnknown',
  'invite-code-revoked': 'reg.inviteRevoked',
  'invite-code-used-up': 'reg.inviteUsedUp',
};

/** The code of an invitation link (/e/42?invite=CODE), or ''. */
function inviteFromAddress() {
  return new URLSearchParams(location.search).get('invite') || '';
}

function clearErrors(form) {
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  for (const error of form.querySelectorAll('.error')) error.textContent = '';
}

function textField(name, label, type, value, attrs = {}) {
  return el('div', { class: 'field' },
    el('label', { for: `f-${name}` }, label, ' ', el('span', { class: 'muted' }, attrs.required ? m.t('reg.required') : m.t('reg.optional'))),
    el('input', { id: `f-${name}`, name, type, value: value ?? '', 'aria-describedby': `f-${name}-error`, ...attrs }),
    el('p', { class: 'error', id: `f-${name}-error` }));
}

/** One of the event's own questions (docs/api.md#events-organizer, field types). */
function customField(field, value) {
  const name = `answers.${field.id}`;
  const id = `f-answers-${field.id}`;
  const need = field.required ? m.t('reg.required') : m.t('reg.optional');
  const error = el('p', { class: 'error', id: `${id}-error` });
  switch (field.type) {
    case 'single_choice':
    case 'multiple_choice': {
      const type = field.type === 'single_choice' ? 'radio' : 'checkbox';
      const picked = new Set([].concat(value ?? []));
      return el('fieldset', { id, 'aria-describedby': `${id}-error` }, el('legend', {}, field.label, ' ', el('span', { class: 'muted' }, need)),
        field.options.map((option, i) => el('label', { class: 'choice' },
          el('input', { type, name, value: option, id: `${id}-${i}`, checked: picked.has(option) }), option)),
        error);
    }
    case 'consent':
      return el('div', { class: 'field' },
        el('label', { class: 'choice' }, el('input', { type: 'checkbox', id, name, checked: value === true, 'aria-describedby': `${id}-error` }),
          field.label, ' ', el('span', { class: 'muted' }, need)), error);
    case 'country': {
      const names = new Intl.DisplayNames([m.tag], { type: 'region' });
      const countries = COUNTRY_CODES.map((code) => [code, names.of(code)]).sort((a, b) => a[1].localeCompare(b[1], m.tag));
      return el('div', { class: 'field' }, el('label', { for: id }, field.label, ' ', el('span', { class: 'muted' }, need)),
        el('select', { id, name, 'aria-describedby': `${id}-error` }, el('option', { value: '' }, m.t('reg.chooseCountry')),
          countries.map(([code, label]) => el('option', { value: code, selected: code === value }, label))), error);
    }
    case 'number':
      return el('div', { class: 'field' }, el('label', { for: id }, field.label, ' ', el('span', { class: 'muted' }, need)),
        el('input', { id, name, type: 'number', inputmode: 'numeric', min: field.min, max: field.max, value: value ?? '', 'aria-describedby': `${id}-error` }), error);
    default: // text, email
      return el('div', { class: 'field' }, el('label', { for: id }, field.label, ' ', el('span', { class: 'muted' }, need)),
        el('input', { id, name, type: field.type === 'email' ? 'email' : 'text', maxlength: field.maxLength, value: value ?? '', 'aria-describedby': `${id}-error` }), error);
  }
}

/**
 * The registration body from the form: name and email (not on an 'sso' event: the sign-in's), the invite code
 * (on an 'invite' event), consent and the answers to the event's questions.
 */
function collect(form) {
  const data = { consent: form.elements.consent.checked, answers: {} };
  if (form.elements.email) {
    data.name = form.elements.name.value.trim();
    data.email = form.elements.email.value.trim();
  }
  if (form.elements.inviteCode) data.inviteCode = form.elements.inviteCode.value.trim();
  for (const field of event.fields || []) {
    const name = `answers.${field.id}`;
    if (field.type === 'multiple_choice') {
      const picked = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
      if (picked.length) data.answers[field.id] = picked;
    } else if (field.type === 'single_choice') {
      const picked = form.querySelector(`input[name="${name}"]:checked`);
      if (picked) data.answers[field.id] = picked.value;
    } else if (field.type === 'consent') {
      data.answers[field.id] = form.elements[name].checked;
    } else {
      const raw = form.elements[name].value.trim();
      if (raw !== '') data.answers[field.id] = field.type === 'number' ? Number(raw) : raw;
    }
  }
  return data;
}

/** The mistakes a person can fix without asking the server: required answers, the email's shape, consent. */
function check(data) {
  const mistakes = [];
  if (event.registrationMode !== 'sso') {
    if (!data.name) mistakes.push({ field: 'name', message: m.t('error.required') });
    if (!data.email) mistakes.push({ field: 'email', message: m.t('error.required') });
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(data.email)) mistakes.push({ field: 'email', message: m.t('error.email') });
  }
  if (event.registrationMode === 'invite' && !data.inviteCode) mistakes.push({ field: 'inviteCode', message: m.t('reg.inviteRequired') });
  for (const field of event.fields || []) {
    const answer = data.answers[field.id];
    if (field.required && (answer === undefined || answer === false || (Array.isArray(answer) && !answer.length))) {
      mistakes.push({ field: `answers.${field.id}`, message: m.t('error.required') });
    }
  }
  if (!data.consent) mistakes.push({ field: 'consent', message: m.t('error.consent') });
  return mistakes;
}

function markInvalid(form, field, message) {
  const id = `f-${field.replace('.', '-')}`;
  const control = form.querySelector(`#${CSS.escape(id)}`);
  const error = form.querySelector(`#${CSS.escape(`${id}-error`)}`);
  if (control) control.setAttribute('aria-invalid', 'true');
  if (error) error.textContent = message;
}

function currentAdmission() {
  try {
    const admission = JSON.parse(sessionStorage.getItem(`foyer.admission.${eventId}`));
    return admission && new Date(admission.expiresAt) > new Date() ? admission : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The lobby: a place in line, live over a waiting socket, until the turn comes (docs/protocol.md#lobby).

const lobbyView = {
  running: false,

  async start(then) {
    if (lobbyView.running) return;
    lobbyView.running = true;
    rerender = () => {}; // the line's own updates redraw it in the new language
    const place = el('p', { class: 'big-number', id: 'lobby-place' }, '…');
    const ahead = el('p', { id: 'lobby-ahead' });
    const bar = el('div');
    const progress = el('div', { class: 'progress', role: 'progressbar', 'aria-labelledby': 'lobby-progress-label', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': 0 }, bar);
    const eta = el('p', { id: 'lobby-eta' });
    const notice = el('div', { role: 'status' });
    const card = el('section', { class: 'card stack', 'aria-labelledby': 'lobby-title' },
      el('h2', { id: 'lobby-title' }, m.t('lobby.title')), el('p', {}, m.t('lobby.intro')),
      el('p', { class: 'muted' }, m.t('lobby.place')), place, ahead,
      el('p', { id: 'lobby-progress-label', class: 'visually-hidden' }, m.t('lobby.progress')), progress, eta, notice);
    fill(main, eventHeader(), card);
    let firstAhead = null;
    let spokenAt = 0;
    const onStatus = (status) => {
      place.textContent = status.place == null ? '–' : new Intl.NumberFormat(m.tag).format(status.place);
      if (status.ahead != null) {
        // progress from where this page first saw the line (the wait for this place counts as one step)
        if (firstAhead === null || status.ahead > firstAhead) firstAhead = status.ahead;
        const done = Math.round(100 * (1 - (status.ahead + 1) / (firstAhead + 1)));
        bar.style.width = `${done}%`;
        progress.setAttribute('aria-valuenow', String(done));
        ahead.textContent = m.tn('lobby.ahead', status.ahead);
      }
      eta.textContent = status.etaSeconds == null ? '' : status.etaSeconds < 60 ? m.t('lobby.etaSoon')
        : m.t('lobby.eta', { time: m.t('lobby.minutes', { n: Math.ceil(status.etaSeconds / 60) }) });
      fill(notice, status.paused ? el('p', { class: 'notice warn' }, m.t('lobby.paused')) : null,
        status.place == null && status.opensAt ? el('p', { class: 'notice warn' }, m.t('lobby.prequeue', { at: when(status.opensAt) })) : null);
      // a screen reader hears the place at most every 30 s, not every second the line moves
      if (Date.now() - spokenAt > 30000 && status.ahead != null) {
        spokenAt = Date.now();
        say(`${ahead.textContent}. ${eta.textContent}`);
      }
    };
    try {
      // the ticket is kept for this tab, so that a reload keeps the place in line
      const ticketKey = `foyer.ticket.${eventId}`;
      const admitted = await waitInLobby(eventId, {
        onStatus, ticket: sessionStorage.getItem(ticketKey), onTicket: (t) => sessionStorage.setItem(ticketKey, t) });
      sessionStorage.removeItem(ticketKey);
      sessionStorage.setItem(`foyer.admission.${eventId}`, JSON.stringify(admitted));
      say(m.t('lobby.yourTurn'));
      lobbyView.running = false;
      then();
    } catch (problem) {
      lobbyView.running = false;
      const seconds = Number(problem.retryAfter) || 10;
      const text = problem.code === 'lobby-full' ? m.t('lobby.full', { n: seconds })
        : problem.code === 'rate-limited' ? m.t('lobby.limited', { n: seconds })
          : problem.code === 'ticket-expired' ? m.t('lobby.expired') : m.t('error.generic', { detail: problem.detail || problem.message || problem.code });
      fill(notice, el('p', { class: 'notice bad', role: 'alert' }, text),
        el('button', { onclick: () => lobbyView.start(then) }, m.t('lobby.rejoin')));
    }
  },
};

// ---------------------------------------------------------------------------------------------------------
// The live event: one socket for the event, the attendee's own topic and the sessions joined.

const live = {
  client: null,
  me: null,
  polls: new Map(), // poll id -> {poll, results}
  quiz: null, // {quiz, question, answered, outcome, mine, leaderboard, deadlineAt}
  feed: new Map(), // announcement key -> {id, title, body, at}
  online: null,
  replaying: new Set(), // topics being resumed: their old messages update state without notifying
  timer: null,

  start(me) {
    live.me = me;
    rerender = () => live.render();
    live.render();
    live.connect(currentAdmission()?.admission);
    api(`/api/events/${eventId}/registrations/me`, { token: me.token })
      .then((registration) => { live.registration = registration; live.renderWelcome(); })
      .catch((problem) => { if (problem.status === 401 || problem.status === 410) live.forget(); });
  },

  connect(admission) {
    const me = live.me;
    const topics = [`event:${eventId}`, `attendee:${me.registrationId}`, ...live.joined().map((id) => `session:${id}`)];
    const client = new FoyerClient({ token: me.token, admission, topics });
    // a page opened afresh (or reloaded) reads the topics' history too: the announcements made before it came
    // (the latest 20 of a long history); the client then resumes each topic from the last message it got
    for (const topic of topics) client.resumeFrom(topic, 0);
    client.addEventListener('open', () => {
      live.replaying = new Set(client.topics.keys());
      showConnection('online');
    });
    client.addEventListener('subscribed', (e) => {
      live.replaying.delete(e.detail.topic);
      if (live.replaying.size === 0) live.refresh();
    });
    client.addEventListener('message', (e) => live.onMessage(e.detail));
    client.addEventListener('reset', (e) => live.onReset(e.detail));
    client.addEventListener('presence', (e) => {
      if (e.detail.topic === `event:${eventId}`) { live.online = e.detail.online; live.renderWelcome(); }
    });
    client.addEventListener('close', () => { if (live.client === client) showConnection('offline'); });
    client.addEventListener('fatal', () => live.forget());
    client.addEventListener('admission-required', () => {
      // the live page is full while the lobby is open: wait in line, then come in with the admission
      live.client = null;
      lobbyView.start(() => { live.render(); live.connect(currentAdmission()?.admission); });
    });
    live.client = client;
    showConnection('connecting');
    client.connect();
  },

  async languageChanged() {
    if (!live.client || !live.me) return;
    // polls and quizzes come in the registration's language: change it, then reconnect to get them so
    await api(`/api/events/${eventId}/registrations/me`, { method: 'PATCH', token: live.me.token, body: { language: m.tag } }).catch(() => {});
    const old = live.client;
    live.client = null;
    old.close();
    live.connect(currentAdmission()?.admission);
  },

  forget() {
    stored.remove('attendee');
    stored.remove('votes');
    if (live.client) { const c = live.client; live.client = null; c.close(); }
    clearInterval(live.timer);
    connection.hidden = true;
    live.me = null;
    entrance.show();
  },

  joined() {
    return stored.get('sessions', []);
  },

  onMessage(frame) {
    const replay = live.replaying.has(frame.topic);
    const data = frame.data || {};
    switch (frame.kind) {
      case 'announcement':
        live.addAnnouncement(frame.topic, data, frame.at, !replay);
        break;
      case 'poll': {
        const before = live.polls.get(data.poll.id);
        live.polls.set(data.poll.id, { poll: data.poll, results: data.results });
        if (!replay && data.poll.status === 'live' && before?.poll.status !== 'live') say(m.t('poll.new', { question: data.poll.question }));
        else if (!replay && data.results && !before?.results) say(m.t('poll.resultsShown', { question: data.poll.question }));
        live.renderNow();
        break;
      }
      case 'poll-results': {
        const entry = live.polls.get(data.pollId);
        if (entry && entry.poll.resultsVisible) { entry.results = data; live.renderResults(data.pollId); }
        break;
      }
      case 'quiz':
        live.quiz = { ...(live.quiz?.quiz.id === data.quiz.id ? live.quiz : {}), quiz: data.quiz };
        live.renderNow();
        break;
      case 'quiz-question':
        // an old question replayed on resume is stale: the quiz's state is read afresh once resumed
        if (!replay) live.openQuestion(data.quizId, data.question, data.question.remainingMs);
        break;
      case 'quiz-results':
        if (live.quiz && live.quiz.quiz.id === data.quizId) {
          Object.assign(live.quiz, { question: data.question, closed: data, deadlineAt: null });
          if (!replay) say(m.t('quiz.correctWas', { answer: optionTexts(data.question, data.question.correct) }));
          live.renderNow();
        }
        break;
      case 'quiz-result':
        if (live.quiz && live.quiz.quiz.id === data.quizId) {
          live.quiz.mine = data;
          if (!replay) say(data.correct ? m.t('quiz.correct', { points: data.gained }) : m.t('quiz.wrong'));
          live.renderNow();
        }
        break;
      default:
        break;
    }
  },

  onReset(frame) {
    for (const key of [...live.feed.keys()]) if (key.startsWith(`${frame.topic}/`)) live.feed.delete(key);
    for (const a of frame.snapshot?.announcements || []) live.addAnnouncement(frame.topic, a, a.at, false);
  },

  addAnnouncement(topic, data, at, fresh) {
    if (!data.body) return;
    live.feed.set(`${topic}/${data.id}`, { ...data, at });
    live.renderFeed();
    if (fresh) {
      const text = data.title ? `${data.title}: ${data.body}` : data.body;
      say(m.t('live.newAnnouncement', { text }));
      const toast = el('div', { class: 'toast' }, text);
      toasts.append(toast);
      setTimeout(() => toast.remove(), 6000);
    }
  },

  /** Reads the polls and the running quiz afresh (after connecting, and after a resume). */
  async refresh() {
    const token = live.me?.token;
    if (!token) return;
    try {
      const [{ polls }, { quizzes }] = await Promise.all([
        api(`/api/events/${eventId}/polls`, { token }), api(`/api/events/${eventId}/quizzes`, { token })]);
      for (const poll of polls) {
        const known = live.polls.get(poll.id);
        live.polls.set(poll.id, { poll, results: poll.results ?? (poll.resultsVisible ? known?.results : null) });
      }
      const running = quizzes.filter((q) => q.status === 'running').pop();
      if (running) {
        const view = await api(`/api/events/${eventId}/quizzes/${running.id}`, { token });
        const keep = live.quiz?.quiz.id === running.id ? live.quiz : {};
        live.quiz = { ...keep, quiz: view.quiz, you: view.you };
        const current = view.quiz.current;
        if (current && current.open) live.openQuestion(running.id, current, current.remainingMs, view.you?.currentAnswer);
        else if (current) live.quiz.question = current;
      }
    } catch (problem) {
      if (problem.status === 401) live.forget();
      return;
    }
    live.renderNow();
  },

  openQuestion(quizId, question, remainingMs, currentAnswer) {
    if (!live.quiz || live.quiz.quiz.id !== quizId) live.quiz = { quiz: { id: quizId, title: '', questionCount: null } };
    const sameQuestion = live.quiz.question?.position === question.position;
    Object.assign(live.quiz, { question, closed: sameQuestion ? live.quiz.closed : null, deadlineAt: performance.now() + remainingMs });
    if (!sameQuestion) { live.quiz.answered = currentAnswer ? { answer: currentAnswer } : null; live.quiz.mine = null; live.quiz.answerId = null; }
    if (live.quiz.quiz.currentPosition !== undefined) live.quiz.quiz.currentPosition = question.position;
    say(`${m.t('quiz.question', { n: question.position, total: live.quiz.quiz.questionCount ?? '?' })}: ${question.question}`);
    live.renderNow();
  },

  // ---- drawing

  render() {
    connection.hidden = false;
    const welcome = el('section', { class: 'card', id: 'welcome', 'aria-labelledby': 'welcome-title' });
    const now = el('section', { class: 'card', id: 'now', 'aria-labelledby': 'now-title' });
    const feed = el('section', { class: 'card', id: 'feed', 'aria-labelledby': 'feed-title' });
    fill(main, eventHeader(true), welcome, now, el('div', { class: 'grid' }, feed, agendaCard(true)));
    live.renderWelcome();
    live.renderNow();
    live.renderFeed();
    showConnection(live.client?.welcome ? 'online' : live.client ? 'offline' : 'connecting');
  },

  renderWelcome() {
    const card = document.getElementById('welcome');
    if (!card || !live.me) return;
    const registration = live.registration;
    const status = !registration ? null : registration.status === 'waitlisted'
      ? el('p', { class: 'notice warn' }, m.t('live.waitlisted', { n: registration.waitlistPosition }))
      : registration.status === 'cancelled' ? el('p', { class: 'notice bad' }, m.t('live.cancelled'))
        : el('p', { class: 'notice ok' }, m.t('live.confirmed'));
    fill(card, el('h2', { id: 'welcome-title' }, m.t('live.welcome', { name: live.me.name })), status,
      live.online == null ? null : el('p', { class: 'muted', id: 'online' }, m.tn('live.online', live.online)),
      el('button', { class: 'secondary', onclick: live.forget }, m.t('live.signOut')));
  },

  renderFeed() {
    const card = document.getElementById('feed');
    if (!card) return;
    const items = [...live.feed.values()].sort((a, b) => (b.at || '').localeCompare(a.at || ''));
    fill(card, el('h2', { id: 'feed-title' }, m.t('live.announcements')),
      items.length === 0 ? el('p', { class: 'muted' }, m.t('live.noAnnouncements'))
        : el('ul', { class: 'feed' }, items.map((a) => el('li', {},
          a.title ? el('strong', {}, a.title) : null, el('p', { style: 'margin:.2rem 0' }, a.body),
          a.at ? el('time', { datetime: a.at }, when(a.at)) : null))));
  },

  renderNow() {
    const card = document.getElementById('now');
    if (!card) return;
    // keep what the attendee is typing or picking when other parts change
    const focused = document.activeElement && card.contains(document.activeElement) ? document.activeElement.id : null;
    const drafts = new Map([...card.querySelectorAll('input[type=text], textarea')].map((i) => [i.id, i.value]));
    const picked = new Set([...card.querySelectorAll('input:checked')].map((i) => i.id));
    const polls = [...live.polls.values()].filter((e) => e.poll.status === 'live' || (e.poll.status === 'closed' && e.results));
    polls.sort((a, b) => (a.poll.status === 'live' ? 0 : 1) - (b.poll.status === 'live' ? 0 : 1) || b.poll.id - a.poll.id);
    const parts = [];
    if (live.quiz) parts.push(quizPanel(live.quiz));
    for (const entry of polls.slice(0, 4)) parts.push(pollPanel(entry));
    fill(card, el('h2', { id: 'now-title' }, m.t('live.now')),
      parts.length ? parts : el('p', { class: 'muted' }, m.t('live.nothing')));
    for (const [id, value] of drafts) { const input = document.getElementById(id); if (input) input.value = value; }
    for (const id of picked) { const input = document.getElementById(id); if (input && !input.disabled) input.checked = true; }
    if (focused && document.getElementById(focused)) document.getElementById(focused).focus();
    live.tick();
  },

  renderResults(pollId) {
    const entry = live.polls.get(pollId);
    const box = document.getElementById(`results-${pollId}`);
    if (entry && box) fill(box, resultsView(entry));
  },

  /** The quiz's countdown, redrawn four times a second while a question is open. */
  tick() {
    clearInterval(live.timer);
    const quiz = live.quiz;
    if (!quiz || !quiz.deadlineAt) return;
    const draw = () => {
      const left = Math.max(0, Math.ceil((quiz.deadlineAt - performance.now()) / 1000));
      const counter = document.getElementById('quiz-countdown');
      if (counter) counter.textContent = String(left);
      if (left === 0) {
        clearInterval(live.timer);
        for (const input of document.querySelectorAll('#quiz-options button, #quiz-options input')) input.disabled = true;
      }
    };
    draw();
    live.timer = setInterval(draw, 250);
  },
};

// ---- polls

function pollPanel(entry) {
  const { poll } = entry;
  const votes = stored.get('votes', {});
  const mine = votes[poll.id];
  const status = el('p', { class: 'muted' }, poll.status === 'live' ? m.t('poll.live') : m.t('poll.closed'));
  const error = el('p', { class: 'error', role: 'alert', id: `poll-error-${poll.id}` });
  const panel = el('article', { class: 'card', 'aria-labelledby': `poll-q-${poll.id}`, dataset: { poll: poll.id } },
    status, el('h3', { id: `poll-q-${poll.id}` }, poll.question));
  if (poll.status === 'live' && (!mine || entry.changing)) {
    panel.append(ballotForm(entry, error));
  } else if (mine) {
    panel.append(el('p', { class: 'notice ok', role: 'status', id: `poll-mine-${poll.id}` },
      m.t('poll.recorded', { answer: describe(poll, mine.answer) })));
    if (poll.status === 'live' && poll.allowChange) {
      panel.append(el('button', { class: 'secondary', onclick: () => { entry.changing = true; live.renderNow(); } }, m.t('poll.change')));
    }
  }
  panel.append(error, el('div', { id: `results-${poll.id}` }, resultsView(entry)));
  return panel;
}

function ballotForm(entry, error) {
  const { poll } = entry;
  const name = `poll-${poll.id}`;
  const form = el('form', { 'aria-labelledby': `poll-q-${poll.id}` });
  const options = (poll.options || []).map((o) => [o.id, o.text]);
  switch (poll.kind) {
    case 'single_choice':
    case 'multiple_choice': {
      const type = poll.kind === 'single_choice' ? 'radio' : 'checkbox';
      if (poll.kind === 'multiple_choice' && poll.maxPicks) form.append(el('p', { class: 'muted' }, m.t('poll.pickUpTo', { n: poll.maxPicks })));
      form.append(el('fieldset', {}, el('legend', { class: 'visually-hidden' }, poll.question),
        options.map(([id, text]) => el('label', { class: 'choice' }, el('input', { type, name, value: id, id: `${name}-${id}` }), text))));
      break;
    }
    case 'rating': {
      const { min, max, labels = {} } = poll.scale;
      const values = [];
      for (let v = min; v <= max; v += 1) values.push(v);
      form.append(el('fieldset', {}, el('legend', { class: 'visually-hidden' }, poll.question), el('div', { class: 'row' },
        values.map((v) => el('label', { class: 'choice' }, el('input', { type: 'radio', name, value: v, id: `${name}-${v}` }),
          labels[v] ? `${v} – ${labels[v]}` : String(v))))));
      break;
    }
    case 'word_cloud':
    case 'open_text':
      form.append(el('label', { for: `${name}-text` }, m.t('poll.yourText')),
        poll.kind === 'open_text'
          ? el('textarea', { id: `${name}-text`, name, maxlength: poll.maxLength, rows: 3 })
          : el('input', { type: 'text', id: `${name}-text`, name, maxlength: poll.maxLength, autocomplete: 'off' }));
      break;
    case 'ranking': {
      entry.order = entry.order || options.map(([id]) => id);
      const list = el('ol', { id: `${name}-order` });
      const draw = () => fill(list, entry.order.map((id, i) => {
        const text = options.find(([o]) => o === id)[1];
        const move = (delta) => {
          const j = i + delta;
          [entry.order[i], entry.order[j]] = [entry.order[j], entry.order[i]];
          draw();
          // focus stays on the moved option's same button, or its other one at the end of the list
          const [up, down] = list.children[j].querySelectorAll('button');
          const same = delta < 0 ? up : down;
          (same.disabled ? (delta < 0 ? down : up) : same).focus();
        };
        return el('li', { class: 'row' }, el('span', {}, text),
          el('button', { type: 'button', class: 'secondary', disabled: i === 0, 'aria-label': m.t('poll.moveUp', { option: text }), onclick: () => move(-1) }, '↑'),
          el('button', { type: 'button', class: 'secondary', disabled: i === entry.order.length - 1, 'aria-label': m.t('poll.moveDown', { option: text }), onclick: () => move(1) }, '↓'));
      }));
      draw();
      form.append(el('p', { class: 'muted' }, m.t('poll.rankHint')), list);
      break;
    }
    default:
      break;
  }
  const submit = el('button', { type: 'submit' }, m.t('poll.vote'));
  form.append(submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const answer = ballot(poll, form, entry);
    if (!answer) { error.textContent = m.t('poll.pickOne'); return; }
    castVote(entry, answer, submit, error);
  });
  return form;
}

/** The answer the form holds, in the shape of the poll's kind (docs/api.md#polls), or null when empty. */
function ballot(poll, form, entry) {
  const name = `poll-${poll.id}`;
  const checked = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  switch (poll.kind) {
    case 'single_choice': return checked.length ? { option: checked[0] } : null;
    case 'multiple_choice': return checked.length ? { options: checked } : null;
    case 'rating': return checked.length ? { value: Number(checked[0]) } : null;
    case 'ranking': return { order: [...entry.order] };
    default: {
      const text = form.elements[name].value.trim();
      return text ? { text } : null;
    }
  }
}

/**
 * Sends the ballot on the socket, or over REST when the socket is down; a retry carries the same voteId, so the
 * server counts it once however many times the answer is lost on the way back.
 */
async function castVote(entry, answer, submit, error) {
  const pollId = entry.poll.id;
  const voteId = entry.pendingVoteId || uuid();
  entry.pendingVoteId = voteId;
  submit.disabled = true;
  submit.textContent = m.t('poll.voting');
  error.textContent = '';
  try {
    let reply;
    try {
      reply = await live.client.request({ type: 'vote', pollId, voteId, answer });
    } catch (problem) {
      if (problem.code !== 'disconnected' && problem.code !== 'timeout') throw problem;
      error.textContent = m.t('poll.retrying');
      reply = await api(`/api/events/${eventId}/polls/${pollId}/ballots`, { method: 'POST', token: live.me.token, body: { voteId, answer } });
    }
    const votes = stored.get('votes', {});
    votes[pollId] = { voteId: reply.voteId, answer: reply.answer };
    stored.set('votes', votes);
    entry.pendingVoteId = null;
    entry.changing = false;
    say(m.t('poll.recorded', { answer: describe(entry.poll, reply.answer) }));
    live.renderNow();
  } catch (problem) {
    if (!['overloaded', 'unavailable', 'network'].includes(problem.code)) entry.pendingVoteId = null;
    error.textContent = problem.code === 'already-voted' ? m.t('poll.already')
      : problem.code === 'poll-not-live' ? m.t('poll.notLive') : m.t('error.generic', { detail: problem.message });
    submit.disabled = false;
    submit.textContent = m.t('poll.vote');
  }
}

/** An answer in words: the options' texts, the value, the text, or the order. */
function describe(poll, answer) {
  const text = (id) => (poll.options || []).find((o) => o.id === id)?.text ?? id;
  if (answer.option !== undefined) return text(answer.option);
  if (answer.options) return answer.options.map(text).join(', ');
  if (answer.order) return answer.order.map(text).join(' › ');
  if (answer.value !== undefined) return String(answer.value);
  return answer.text ?? '';
}

function resultsView(entry) {
  const { poll, results } = entry;
  if (!results) {
    return stored.get('votes', {})[poll.id] ? el('p', { class: 'muted' }, m.t('poll.waitResults')) : null;
  }
  const mine = stored.get('votes', {})[poll.id]?.answer || {};
  const chosen = new Set([].concat(mine.option ?? [], mine.options ?? [], mine.value !== undefined ? String(mine.value) : []));
  const counts = results.counts || {};
  const header = el('h4', { style: 'margin:.6rem 0 .2rem' }, m.t('poll.results'), ' · ', m.tn('poll.ballots', results.ballots));
  if (poll.kind === 'word_cloud') {
    const top = Math.max(1, ...Object.values(counts));
    return [header, el('ul', { class: 'word-cloud', 'aria-label': m.t('poll.results') }, Object.entries(counts).map(([word, n]) =>
      el('li', { style: `font-size:${(1 + 1.4 * (n / top)).toFixed(2)}rem` }, word, el('span', { class: 'visually-hidden' }, ` (${n})`))))];
  }
  if (poll.kind === 'open_text') {
    return [header, el('ul', {}, (results.texts || []).map((t) => el('li', {}, t)))];
  }
  const labelOf = (key) => {
    if (poll.kind === 'rating') return poll.scale?.labels?.[key] ? `${key} – ${poll.scale.labels[key]}` : key;
    return (poll.options || []).find((o) => o.id === key)?.text ?? key;
  };
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const base = poll.kind === 'ranking' ? Math.max(1, ...Object.values(counts)) : Math.max(1, poll.kind === 'multiple_choice' ? results.ballots : total);
  return [header, el('ul', { class: 'bars' }, Object.entries(counts).map(([key, n]) => {
    const share = Math.round((100 * n) / base);
    const figure = poll.kind === 'ranking' ? m.t('poll.points', { n }) : `${n} · ${share}%`;
    return el('li', { class: chosen.has(key) ? 'mine' : '' },
      el('div', { class: 'label' }, el('span', {}, labelOf(key), chosen.has(key) ? ' ✓' : ''), el('span', {}, figure)),
      el('div', { class: 'track', 'aria-hidden': 'true' }, el('div', { class: 'fill', style: `width:${share}%` })));
  })), results.average != null ? el('p', {}, m.t('poll.average', { n: new Intl.NumberFormat(m.tag, { maximumFractionDigits: 2 }).format(results.average) })) : null];
}

// ---- quizzes

function quizPanel(state) {
  const { quiz, question, closed, mine } = state;
  const panel = el('article', { class: 'card', id: 'quiz', 'aria-labelledby': 'quiz-title' },
    el('h3', { id: 'quiz-title' }, m.t('quiz.title', { title: quiz.title || '' })));
  if (quiz.status === 'finished') {
    panel.append(el('p', { class: 'notice ok' }, m.t('quiz.finished')));
  }
  if (question && question.open && !closed && state.deadlineAt) {
    panel.append(el('p', { class: 'muted' }, m.t('quiz.question', { n: question.position, total: quiz.questionCount ?? '?' })),
      el('p', { class: 'big-number', style: 'font-size:1.4rem' }, question.question),
      el('p', {}, el('span', { class: 'visually-hidden' }, m.t('quiz.timeLeft')), ' ',
        el('span', { class: 'countdown', id: 'quiz-countdown', role: 'timer', 'aria-live': 'off' }, '')));
    if (state.answered) {
      panel.append(el('p', { class: 'notice ok', role: 'status', id: 'quiz-answered' }, state.answered.responseMs != null
        ? m.t('quiz.answered', { ms: state.answered.responseMs }) : m.t('quiz.waitNext')));
    } else {
      panel.append(answerForm(state));
    }
  } else if (question && closed) {
    panel.append(el('p', { class: 'muted' }, m.t('quiz.question', { n: question.position, total: quiz.questionCount ?? '?' })),
      el('p', { style: 'font-weight:600' }, question.question),
      el('p', { class: 'notice ok', id: 'quiz-correct' }, m.t('quiz.correctWas', { answer: optionTexts(question, question.correct) })),
      el('p', { class: 'muted' }, m.t('quiz.stats', { correct: closed.answeredCorrectly, answered: closed.answered })));
  } else if (quiz.status === 'running') {
    panel.append(el('p', { class: 'muted' }, m.t('quiz.waitNext')));
  }
  if (mine) {
    panel.append(el('p', { class: mine.correct ? 'notice ok' : 'notice warn', id: 'quiz-mine' },
      mine.answered ? (mine.correct ? m.t('quiz.correct', { points: mine.gained }) : m.t('quiz.wrong')) : m.t('quiz.noAnswer'), el('br'),
      m.t('quiz.score', { score: mine.score, rank: mine.rank, players: mine.players })));
  }
  if (closed?.leaderboard?.length) {
    const me = mine?.player ?? state.you?.player;
    panel.append(el('h4', {}, m.t('quiz.podium')), el('ol', { class: 'podium', id: 'quiz-podium' },
      closed.leaderboard.map((row) => el('li', { class: row.player === me ? 'me' : '' },
        el('span', {}, `${row.rank}. ${row.player}`, row.player === me ? ` ${m.t('quiz.you')}` : ''),
        el('span', {}, m.t('quiz.points', { n: row.score }))))));
  }
  return panel;
}

function answerForm(state) {
  const { quiz, question } = state;
  const box = el('div', { id: 'quiz-options', role: 'group', 'aria-label': question.question });
  const error = el('p', { class: 'error', role: 'alert' });
  const send = async (answer, controls) => {
    state.answerId = state.answerId || uuid();
    controls.forEach((c) => { c.disabled = true; });
    try {
      const frame = { type: 'answer', quizId: quiz.id, position: question.position, answerId: state.answerId, answer };
      let reply;
      try {
        reply = await live.client.request(frame);
      } catch (problem) {
        if (problem.code !== 'disconnected' && problem.code !== 'timeout') throw problem;
        reply = await api(`/api/events/${eventId}/quizzes/${quiz.id}/questions/${question.position}/answers`,
          { method: 'POST', token: live.me.token, body: { answerId: state.answerId, answer } });
      }
      state.answered = { answer: reply.answer, responseMs: reply.responseMs };
      live.renderNow();
    } catch (problem) {
      if (problem.code === 'already-answered') { state.answered = { answer }; live.renderNow(); return; }
      error.textContent = problem.code === 'answer-too-late' ? m.t('quiz.tooLate')
        : problem.code === 'question-closed' || problem.code === 'question-not-open' ? m.t('quiz.closed')
          : m.t('error.generic', { detail: problem.message });
      if (!['answer-too-late', 'question-closed'].includes(problem.code)) controls.forEach((c) => { c.disabled = false; });
    }
  };
  if (question.kind === 'single_choice') {
    const buttons = question.options.map((o) => el('button', { type: 'button', class: 'secondary', style: 'display:block;width:100%;margin:.35rem 0;text-align:left' }, o.text));
    buttons.forEach((b, i) => b.addEventListener('click', () => send({ option: question.options[i].id }, buttons)));
    box.append(...buttons);
  } else {
    const boxes = question.options.map((o) => el('input', { type: 'checkbox', id: `quiz-${question.position}-${o.id}`, value: o.id }));
    const submit = el('button', { type: 'button' }, m.t('quiz.answer'));
    submit.addEventListener('click', () => {
      const picked = boxes.filter((b) => b.checked).map((b) => b.value);
      if (picked.length) send({ options: picked }, [...boxes, submit]);
    });
    if (question.maxPicks) box.append(el('p', { class: 'muted' }, m.t('poll.pickUpTo', { n: question.maxPicks })));
    box.append(...question.options.map((o, i) => el('label', { class: 'choice' }, boxes[i], o.text)), submit);
  }
  box.append(error);
  return box;
}

function optionTexts(question, ids = []) {
  return ids.map((id) => (question.options || []).find((o) => o.id === id)?.text ?? id).join(', ');
}

// ---------------------------------------------------------------------------------------------------------
// Shared parts

/** The event's title and dates; its description too, folded away on the live view (compact) to keep "now" near. */
function eventHeader(compact = false) {
  const description = !event.description ? null : compact
    ? el('details', {}, el('summary', {}, m.t('event.about')), el('p', {}, event.description))
    : el('p', {}, event.description);
  return el('section', { class: 'card', 'aria-labelledby': 'event-title' },
    el('h1', { id: 'event-title' }, event.title),
    el('p', { class: 'muted' }, m.t('event.when', { start: when(event.startsAt), end: when(event.endsAt), zone: event.timeZone })),
    description);
}

function agendaCard(canJoin) {
  const joined = new Set(live.joined());
  const toggle = (session) => {
    const topic = `session:${session.id}`;
    if (joined.has(session.id)) { joined.delete(session.id); live.client?.unsubscribe(topic); } else {
      joined.add(session.id);
      // the session's history is read as on connecting: its old messages update what is shown, quietly
      live.replaying.add(topic);
      live.client?.resumeFrom(topic, 0);
      live.client?.subscribe(topic);
    }
    stored.set('sessions', [...joined]);
    live.render();
  };
  return el('section', { class: 'card', 'aria-labelledby': 'agenda-title' },
    el('h2', { id: 'agenda-title' }, m.t('event.agenda')),
    sessions.length === 0 ? el('p', { class: 'muted' }, m.t('event.noSessions')) : el('ul', { class: 'feed' }, sessions.map((s) => el('li', {},
      el('strong', {}, s.title), el('br'),
      el('time', { datetime: s.startsAt }, when(s.startsAt, { timeStyle: 'short', dateStyle: 'short' })),
      s.room ? ` · ${m.t('event.room', { room: s.room })}` : '', s.track ? ` · ${m.t('event.track', { track: s.track })}` : '',
      s.description ? el('p', { style: 'margin:.2rem 0' }, s.description) : null,
      el('div', { class: 'row' },
        s.streamUrl && canJoin ? el('a', { href: s.streamUrl, target: '_blank', rel: 'noopener' }, m.t('event.stream')) : null,
        canJoin ? el('button', { class: 'secondary', 'aria-pressed': joined.has(s.id) ? 'true' : 'false', onclick: () => toggle(s) },
          joined.has(s.id) ? m.t('live.joined') : m.t('live.join'), el('span', { class: 'visually-hidden' }, `: ${s.title}`)) : null)))));
}

function when(iso, options) {
  return iso ? formatTime(iso, m.tag, event?.timeZone, options) : '';
}

function showConnection(state) {
  connection.dataset.state = state;
  connection.textContent = m.t(`conn.${state}`);
}
