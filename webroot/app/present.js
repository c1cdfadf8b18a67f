// The presenter console (/present/{eventId}): presenters and organizers create and run the event's polls and
// quizzes and watch their results live. One WebSocket (foyer-client.js) carries the audience's topic (poll and quiz
// pushes, presence) and results:<eventId> (live tallies, whether or not the audience sees them); actions go over
// that socket (run-poll, run-quiz), creation over REST. Everything the server sends is shown as text.

import { FoyerClient } from '/foyer-client.js';
import { api, el, fill, announcer, eventIdFromPath } from '/app/common.js';
import { signInProviders, currentSession, signInLinks, signOutOfSession } from '/app/signin.js';

const main = document.getElementById('main');
const connection = document.getElementById('connection');
const audience = document.getElementById('audience');
const signOutButton = document.getElementById('sign-out');
const say = announcer(document.getElementById('spoken'));
const eventId = eventIdFromPath();
// the key or token lives for this tab only: closing it signs out
const STORAGE_KEY = `foyer.present.${eventId}`;

const KINDS = {
  single_choice: 'Single choice',
  multiple_choice: 'Multiple choice',
  rating: 'Rating',
  word_cloud: 'Word cloud',
  open_text: 'Open text',
  ranking: 'Ranking',
};
const POLL_STATUS = { draft: 'Draft', live: 'Live', closed: 'Closed' };
const QUIZ_STATUS = { draft: 'Draft', running: 'Running', finished: 'Finished' };
const OPTION_IDS = 'abcdefghijklmnopqrst'; // 20 options at most (docs/api.md#polls)

let token = null;
/** The single sign-on session the console's presenter token was issued for, when it came that way. */
let session = null;
let client = null;
let event = null;
let sessions = [];
const polls = new Map(); // poll id -> its card (see pollCard)
const quizzes = new Map(); // quiz id -> its card (see quizCard)

signOutButton.addEventListener('click', signOut);
boot();

async function boot() {
  if (eventId === null) {
    fill(main, el('p', { class: 'notice bad', role: 'alert' }, 'This address does not name an event.'));
    return;
  }
  try {
    [event, sessions] = await Promise.all([
      api(`/api/events/${eventId}`),
      api(`/api/events/${eventId}/sessions`).then((s) => s.sessions),
    ]);
  } catch (problem) {
    fill(main, el('p', { class: 'notice bad', role: 'alert' }, problem.status === 404
      ? `There is no event ${eventId}.` : `The event could not be read: ${problem.message}`),
    el('button', { type: 'button', onclick: boot }, 'Try again'));
    return;
  }
  document.title = `${event.title} · Presenter console · Foyer`;
  token = sessionStorage.getItem(STORAGE_KEY);
  const current = await currentSession();
  if (current.signedIn) session = current;
  if (token) await enter(token, null);
  else if (session) await enterSignedIn();
  else showSignIn();
}

/**
 * Someone signed in through a provider gets a presenter token for this event when their roles cover it; the
 * console then works as with any other token (REST and its WebSocket).
 */
async function enterSignedIn() {
  let issued;
  try {
    issued = await api('/api/auth/presenter-token', { method: 'POST', body: { eventId: Number(eventId) },
      headers: { 'X-CSRF-Token': session.csrfToken } });
  } catch (problem) {
    showSignIn(problem.status === 403
      ? `You are signed in as ${session.name}, but your roles do not include event ${eventId}. Sign in with a key `
        + 'or token for it, or ask an organizer for the presenter role.'
      : `Signing in failed: ${problem.message}`);
    return;
  }
  await enter(issued.token, null);
}

// ---------------------------------------------------------------------------------------------------------
// Signing in: the organizer API key or presenter token is checked by reading the event's polls with it.

function showSignIn(error) {
  signOutButton.hidden = true;
  audience.hidden = true;
  connection.hidden = true;
  const message = el('div', { id: 'sign-in-error', role: 'alert' },
    error ? el('p', { class: 'notice bad' }, error) : null);
  const input = el('input', { type: 'password', id: 'credential', name: 'credential', required: true,
    autocomplete: 'off', 'aria-describedby': 'credential-hint sign-in-error' });
  const form = el('form', { class: 'card stack', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    el('h2', { id: 'sign-in-title' }, 'Sign in to present'),
    el('div', { class: 'field' },
      el('label', { for: 'credential' }, 'Organizer API key or presenter token'),
      input,
      el('p', { class: 'hint', id: 'credential-hint' },
        'Kept in this browser tab only, until you sign out or close the tab.')),
    message,
    el('button', { type: 'submit' }, 'Sign in'));
  const providers = el('div', { id: 'sign-in-providers' });
  signInProviders().then((list) => {
    if (!session) fill(providers, signInLinks(list, `/present/${eventId}`));
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) {
      fill(message, el('p', { class: 'notice bad' }, 'Enter your organizer API key or presenter token.'));
      input.focus();
      return;
    }
    await enter(value, message);
  });
  fill(main, el('h1', { id: 'event-title' }, event.title), form, providers);
  input.focus();
}

async function enter(credential, message) {
  let pollList;
  let quizList;
  try {
    [pollList, quizList] = await Promise.all([
      api(`/api/events/${eventId}/polls`, { token: credential }),
      api(`/api/events/${eventId}/quizzes`, { token: credential }),
    ]);
  } catch (problem) {
    // a refused key is forgotten; one that could not be checked (the node is away) is kept for a retry
    if (problem.status === 401 || problem.status === 403) sessionStorage.removeItem(STORAGE_KEY);
    const text = problem.status === 401
      ? `This key or token is not valid (unknown, expired or revoked): ${problem.message}`
      : problem.status === 403
        ? `This key or token may not run event ${eventId}: ${problem.message}`
        : `Signing in failed: ${problem.message}`;
    if (message) fill(message, el('p', { class: 'notice bad' }, text));
    else showSignIn(text);
    return;
  }
  token = credential;
  sessionStorage.setItem(STORAGE_KEY, credential);
  showConsole(pollList.polls, quizList.quizzes);
  // the sign-in form is gone: the keyboard and screen readers start again at the top of the console
  if (message) main.focus();
  connect();
}

async function signOut() {
  sessionStorage.removeItem(STORAGE_KEY);
  if (session) {
    const stays = await signOutOfSession(session);
    session = null;
    if (!stays) return;
  }
  token = null;
  if (client) client.close();
  client = null;
  polls.clear();
  quizzes.clear();
  showSignIn();
}

// ---------------------------------------------------------------------------------------------------------
// The live connection.

function connect() {
  if (client) client.close();
  client = new FoyerClient({ token, topics: [`event:${eventId}`, `results:${eventId}`] });
  setConnection('connecting', 'Connecting…');
  client.addEventListener('open', (e) => {
    setConnection('online', 'Connected');
    // a presenter of one session also follows that session's topic, where its polls and quizzes are pushed, and
    // makes them for that session by default (the server refuses any other)
    const sessionId = e.detail.sessionId;
    if (sessionId && !client.topics.has(`session:${sessionId}`)) client.subscribe(`session:${sessionId}`);
    if (sessionId) {
      for (const select of document.querySelectorAll('select[name=sessionId]')) {
        if (!select.value) select.value = String(sessionId);
      }
    }
  });
  client.addEventListener('close', () => {
    if (client && !client.stopped) setConnection('connecting', 'Reconnecting…');
  });
  client.addEventListener('fatal', () => setConnection('offline', 'Disconnected: sign in again'));
  client.addEventListener('presence', (e) => {
    if (e.detail.topic === `event:${eventId}`) {
      audience.hidden = false;
      audience.textContent = `Audience: ${e.detail.online} online`;
    }
  });
  client.addEventListener('message', (e) => onMessage(e.detail));
  // after a reset (too far behind to replay) the polls and quizzes are read again
  client.addEventListener('reset', () => refresh());
  client.connect();
}

function setConnection(state, text) {
  connection.hidden = false;
  connection.dataset.state = state;
  connection.textContent = text;
}

function onMessage({ kind, data }) {
  switch (kind) {
    case 'poll':
      pollUpdated(data.poll, data.results);
      break;
    case 'poll-results': {
      const card = polls.get(data.pollId);
      if (card) card.showResults(data);
      break;
    }
    case 'quiz': {
      const card = quizzes.get(data.quiz.id);
      // a quiz made on another console since this one loaded: read the quizzes again
      if (card) card.status(data.quiz.status);
      else refresh();
      break;
    }
    case 'quiz-question': {
      const card = quizzes.get(data.quizId);
      if (card) card.questionOpened(data.question, data.questionCount);
      else refresh();
      break;
    }
    case 'quiz-results': {
      const card = quizzes.get(data.quizId);
      if (card) card.questionClosed(data);
      break;
    }
    default:
      break;
  }
}

async function refresh() {
  try {
    const [pollList, quizList] = await Promise.all([
      api(`/api/events/${eventId}/polls`, { token }),
      api(`/api/events/${eventId}/quizzes`, { token }),
    ]);
    for (const poll of pollList.polls) {
      pollUpdated(poll, undefined);
      if (poll.status !== 'draft') loadResults(poll.id);
    }
    for (const quiz of quizList.quizzes) quizUpdated(quiz);
  } catch {
    // the next message or reconnect brings the console up to date again
  }
}

// ---------------------------------------------------------------------------------------------------------
// The console: the event, new polls and quizzes, and those that exist.

function showConsole(pollList, quizList) {
  signOutButton.hidden = false;
  polls.clear();
  quizzes.clear();
  const pollsList = el('div', { id: 'polls', class: 'stack' });
  const quizzesList = el('div', { id: 'quizzes', class: 'stack' });
  // what is run comes first; making a new poll or quiz is folded away once there is something to run
  fill(main,
    el('div', { class: 'console-head' },
      el('h1', { id: 'event-title' }, event.title),
      el('p', { class: 'muted' }, `Event ${eventId} · `, el('a', { href: `/e/${eventId}` }, 'attendee page'))),
    el('div', { class: 'grid' },
      el('section', { 'aria-labelledby': 'polls-title' },
        el('h2', { id: 'polls-title' }, 'Polls'),
        pollsList,
        el('details', { class: 'card maker', open: pollList.length === 0 },
          el('summary', {}, 'New poll'), pollForm(pollsList))),
      el('section', { 'aria-labelledby': 'quizzes-title' },
        el('h2', { id: 'quizzes-title' }, 'Quizzes'),
        quizzesList,
        el('details', { class: 'card maker', open: quizList.length === 0 },
          el('summary', {}, 'New quiz'), quizForm(quizzesList)))));
  for (const poll of pollList) pollsList.append(pollCard(poll).node);
  for (const quiz of quizList) quizzesList.append(quizCard(quiz).node);
  for (const poll of pollList) if (poll.status !== 'draft') loadResults(poll.id);
}

function sessionSelect(id) {
  return el('div', { class: 'field' },
    el('label', { for: id }, 'For'),
    el('select', { id, name: 'sessionId' },
      el('option', { value: '' }, 'The whole event'),
      sessions.map((s) => el('option', { value: s.id }, `Session: ${s.title}`))));
}

function lines(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean);
}

/** A problem's words for people: its detail, and each field it names. */
function problemText(problem) {
  const base = problem.message || problem.detail || 'Something went wrong';
  const errors = (problem.errors || []).map((e) => `${e.field}: ${e.message}`);
  return errors.length ? `${base} (${errors.join('; ')})` : base;
}

function showError(region, text) {
  fill(region, text ? el('p', { class: 'notice bad' }, text) : null);
}

// ---------------------------------------------------------------------------------------------------------
// Creating a poll.

function pollForm(list) {
  const error = el('div', { id: 'poll-form-error', role: 'alert' });
  const kind = el('select', { id: 'poll-kind', name: 'kind' },
    Object.entries(KINDS).map(([value, name]) => el('option', { value }, name)));
  const question = el('input', { type: 'text', id: 'poll-question', name: 'question', maxlength: 500, required: true });
  const options = el('textarea', { id: 'poll-options', name: 'options', 'aria-describedby': 'poll-options-hint' });
  const maxPicks = el('input', { type: 'number', id: 'poll-max-picks', min: 1, max: 20, inputmode: 'numeric',
    'aria-describedby': 'poll-max-picks-hint' });
  const scaleMin = el('input', { type: 'number', id: 'poll-scale-min', min: 0, max: 9, value: 1 });
  const scaleMax = el('input', { type: 'number', id: 'poll-scale-max', min: 1, max: 10, value: 5 });
  const allowChange = el('input', { type: 'checkbox', id: 'poll-allow-change' });
  const resultsVisible = el('input', { type: 'checkbox', id: 'poll-results-visible' });
  const optionsField = el('div', { class: 'field' },
    el('label', { for: 'poll-options' }, 'Options'), options,
    el('p', { class: 'hint', id: 'poll-options-hint' }, 'One per line, 2 to 20.'));
  const maxPicksField = el('div', { class: 'field' },
    el('label', { for: 'poll-max-picks' }, 'Most picks per attendee'), maxPicks,
    el('p', { class: 'hint', id: 'poll-max-picks-hint' }, 'Empty: as many as there are options.'));
  const scaleField = el('fieldset', {}, el('legend', {}, 'Scale'),
    el('div', { class: 'inline-fields' },
      el('div', { class: 'field' }, el('label', { for: 'poll-scale-min' }, 'From'), scaleMin),
      el('div', { class: 'field' }, el('label', { for: 'poll-scale-max' }, 'To'), scaleMax)));
  const showFieldsOfKind = () => {
    const k = kind.value;
    optionsField.hidden = !['single_choice', 'multiple_choice', 'ranking'].includes(k);
    maxPicksField.hidden = k !== 'multiple_choice';
    scaleField.hidden = k !== 'rating';
  };
  kind.addEventListener('change', showFieldsOfKind);
  showFieldsOfKind();
  const session = sessionSelect('poll-session');
  const form = el('form', { novalidate: true, 'aria-label': 'New poll' },
    el('div', { class: 'field' }, el('label', { for: 'poll-kind' }, 'Kind'), kind),
    el('div', { class: 'field' }, el('label', { for: 'poll-question' }, 'Question'), question),
    optionsField, maxPicksField, scaleField, session,
    el('label', { class: 'choice' }, allowChange, 'Attendees may change their vote'),
    el('label', { class: 'choice' }, resultsVisible, 'Show results to the audience'),
    error,
    el('button', { type: 'submit' }, 'Create poll'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { kind: kind.value, question: question.value.trim(), allowChange: allowChange.checked,
      resultsVisible: resultsVisible.checked };
    const sessionId = session.querySelector('select').value;
    if (sessionId) body.sessionId = Number(sessionId);
    if (!optionsField.hidden) {
      body.options = lines(options.value).map((text, i) => ({ id: OPTION_IDS[i] || `o${i + 1}`, text }));
    }
    if (!maxPicksField.hidden && maxPicks.value) body.maxPicks = Number(maxPicks.value);
    if (!scaleField.hidden) body.scale = { min: Number(scaleMin.value), max: Number(scaleMax.value) };
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const poll = await api(`/api/events/${eventId}/polls`, { method: 'POST', body, token });
      showError(error, null);
      question.value = '';
      options.value = '';
      const card = polls.get(poll.id) || pollCard(poll);
      list.append(card.node);
      say(`Poll created: ${poll.question}`);
    } catch (problem) {
      showError(error, `The poll was not created: ${problemText(problem)}`);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// ---------------------------------------------------------------------------------------------------------
// A poll being run: its state, its actions, and its live results.

function pollUpdated(poll, results) {
  const card = polls.get(poll.id);
  if (!card) {
    document.getElementById('polls')?.append(pollCard(poll).node);
    if (poll.status !== 'draft') loadResults(poll.id);
    return;
  }
  card.update(poll);
  if (results) card.showResults(results);
}

async function loadResults(pollId) {
  try {
    const results = await api(`/api/events/${eventId}/polls/${pollId}/results`, { token });
    polls.get(pollId)?.showResults(results);
  } catch {
    // live results arrive on results:<eventId> anyway
  }
}

function pollCard(initial) {
  let poll = initial;
  let lastSpoken = 0;
  const titleId = `poll-${poll.id}-title`;
  const meta = el('p', { class: 'meta' });
  const error = el('div', { role: 'alert' });
  const ballots = el('p', { class: 'ballots' });
  const results = el('div', { class: 'results' });
  const buttons = {
    launch: el('button', { type: 'button' }, 'Launch'),
    close: el('button', { type: 'button', class: 'secondary' }, 'Close'),
    reopen: el('button', { type: 'button', class: 'secondary' }, 'Reopen'),
    reveal: el('button', { type: 'button', class: 'secondary' }, 'Reveal results'),
    hide: el('button', { type: 'button', class: 'secondary' }, 'Hide results'),
  };
  const node = el('article', { class: 'card run', dataset: { poll: poll.id }, 'aria-labelledby': titleId },
    el('h3', { id: titleId }, poll.question),
    meta,
    el('div', { class: 'row actions', role: 'group', 'aria-label': `Run poll: ${poll.question}` }, Object.values(buttons)),
    error,
    el('section', { 'aria-label': `Results: ${poll.question}` }, ballots, results));

  for (const [action, button] of Object.entries(buttons)) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const reply = await client.request({ type: 'run-poll', pollId: poll.id, eventId, action });
        showError(error, null);
        update(reply.poll);
        // the tally as it stands now; later ones arrive live on results:<eventId>
        if (poll.status !== 'draft') loadResults(poll.id);
      } catch (problem) {
        showError(error, problem.code === 'disconnected'
          ? 'Not connected: wait for the connection to come back, then try again.'
          : `${button.textContent} failed: ${problem.message || problem.code}`);
        update(poll);
      }
      // the button pressed may now be disabled: keep the keyboard in this card
      if (button.disabled) Object.values(buttons).find((b) => !b.disabled)?.focus();
    });
  }

  function update(next) {
    poll = next;
    node.dataset.status = poll.status;
    fill(meta, `${KINDS[poll.kind] || poll.kind} · `,
      el('span', { class: 'status-badge' }, POLL_STATUS[poll.status] || poll.status),
      ' · ', poll.resultsVisible ? 'results shown to the audience' : 'results hidden from the audience',
      poll.sessionId ? ` · session ${sessionName(poll.sessionId)}` : '');
    buttons.launch.disabled = poll.status !== 'draft';
    buttons.close.disabled = poll.status !== 'live';
    buttons.reopen.disabled = poll.status !== 'closed';
    buttons.reveal.disabled = poll.resultsVisible;
    buttons.hide.disabled = !poll.resultsVisible;
    if (poll.status === 'draft') fill(ballots, 'Not launched yet.');
  }

  function showResults(r) {
    const count = r.ballots ?? 0;
    fill(ballots, `${count} ${count === 1 ? 'ballot' : 'ballots'}`, r.average != null ? ` · average ${r.average.toFixed(2)}` : '');
    fill(results, renderResults(poll, r));
    // a busy poll is spoken about at most every 5 seconds, never per ballot
    const now = Date.now();
    if (now - lastSpoken > 5000) {
      lastSpoken = now;
      say(`${poll.question}: ${count} ${count === 1 ? 'ballot' : 'ballots'}`);
    }
  }

  update(poll);
  const card = { node, update, showResults };
  polls.set(poll.id, card);
  return card;
}

function sessionName(sessionId) {
  return sessions.find((s) => s.id === sessionId)?.title || sessionId;
}

function renderResults(poll, r) {
  const counts = r.counts || {};
  if (poll.kind === 'word_cloud') {
    const words = Object.entries(counts);
    if (!words.length) return el('p', { class: 'muted' }, 'No words yet.');
    const top = Math.max(...words.map(([, n]) => n));
    // the size follows the count; the count is also written, so nothing depends on the size alone
    return el('ul', { class: 'word-cloud', 'aria-label': 'Words by count' }, words.map(([word, n]) =>
      el('li', { style: `font-size: ${(1 + 1.4 * (n / top)).toFixed(2)}rem` }, word, ' ', el('span', { class: 'n' }, `(${n})`))));
  }
  if (poll.kind === 'open_text') {
    if (!r.texts) return el('p', { class: 'muted' }, 'Texts are shown once the poll is closed.');
    return el('ul', { class: 'texts' }, r.texts.map((t) => el('li', {}, t)));
  }
  const labels = poll.kind === 'rating'
    ? Object.fromEntries(Object.keys(counts).map((v) => [v, poll.scale?.labels?.[v] ? `${v} (${poll.scale.labels[v]})` : v]))
    : Object.fromEntries((poll.options || []).map((o) => [o.id, o.text]));
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const unit = poll.kind === 'ranking' ? 'points' : null;
  return el('ul', { class: 'bars' }, Object.entries(counts).map(([key, n]) => {
    const share = total ? Math.round((100 * n) / total) : 0;
    return el('li', { dataset: { option: key } },
      el('div', { class: 'label' }, el('span', {}, labels[key] ?? key),
        el('span', { class: 'count' }, unit ? `${n} ${unit}` : `${n} (${share}%)`)),
      el('div', { class: 'track', 'aria-hidden': 'true' }, el('div', { class: 'fill', style: `width: ${share}%` })));
  }));
}

// ---------------------------------------------------------------------------------------------------------
// Creating a quiz: a title and its questions, each with options, the correct ones, a time limit and points.

function quizForm(list) {
  const error = el('div', { id: 'quiz-form-error', role: 'alert' });
  const title = el('input', { type: 'text', id: 'quiz-title', maxlength: 200, required: true });
  const scoring = el('select', { id: 'quiz-scoring' },
    el('option', { value: 'standard' }, 'Standard: faster correct answers score more'),
    el('option', { value: 'accuracy' }, 'Accuracy: every correct answer scores in full'));
  const streak = el('input', { type: 'checkbox', id: 'quiz-streak' });
  const questions = el('div', { class: 'stack' });
  let counter = 0;
  const addQuestion = () => {
    counter += 1;
    const editor = questionEditor(counter, () => {
      editor.node.remove();
      renumber();
    });
    questions.append(editor.node);
    renumber();
    return editor;
  };
  const renumber = () => [...questions.children].forEach((q, i) => { q.querySelector('legend').textContent = `Question ${i + 1}`; });
  const session = sessionSelect('quiz-session');
  const form = el('form', { novalidate: true, 'aria-label': 'New quiz' },
    el('div', { class: 'field' }, el('label', { for: 'quiz-title' }, 'Title'), title),
    el('div', { class: 'field' }, el('label', { for: 'quiz-scoring' }, 'Scoring'), scoring),
    el('label', { class: 'choice' }, streak, 'Streak bonus for correct answers in a row'),
    session,
    questions,
    el('button', { type: 'button', class: 'secondary', onclick: () => addQuestion().focus() }, 'Add a question'),
    error,
    el('p', {}, el('button', { type: 'submit' }, 'Create quiz')));
  addQuestion();
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = { title: title.value.trim(), scoring: scoring.value, streakBonus: streak.checked,
      questions: [...questions.children].map((q) => q.read()) };
    const sessionId = session.querySelector('select').value;
    if (sessionId) body.sessionId = Number(sessionId);
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const quiz = await api(`/api/events/${eventId}/quizzes`, { method: 'POST', body, token });
      showError(error, null);
      title.value = '';
      questions.replaceChildren();
      addQuestion();
      list.append((quizzes.get(quiz.id) || quizCard(quiz)).node);
      say(`Quiz created: ${quiz.title}`);
    } catch (problem) {
      showError(error, `The quiz was not created: ${problemText(problem)}`);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function questionEditor(n, remove) {
  const id = (name) => `quiz-q${n}-${name}`;
  const kind = el('select', { id: id('kind') },
    el('option', { value: 'single_choice' }, 'Single choice'),
    el('option', { value: 'multiple_choice' }, 'Multiple choice'));
  const text = el('input', { type: 'text', id: id('text'), maxlength: 500 });
  const options = el('textarea', { id: id('options'), 'aria-describedby': id('options-hint') });
  const correct = el('div', { class: 'stack' });
  const limit = el('input', { type: 'number', id: id('limit'), min: 1, max: 240, value: 20, inputmode: 'numeric' });
  const points = el('select', { id: id('points') },
    el('option', { value: '1000' }, '1000 (standard)'),
    el('option', { value: '2000' }, '2000 (double)'),
    el('option', { value: '0' }, '0 (no points)'));
  // the correct-answer boxes follow the options as they are typed, keeping what was ticked
  const drawCorrect = () => {
    const ticked = new Set([...correct.querySelectorAll('input:checked')].map((c) => c.value));
    fill(correct, lines(options.value).map((option, i) => el('label', { class: 'choice' },
      el('input', { type: 'checkbox', value: OPTION_IDS[i], checked: ticked.has(OPTION_IDS[i]) }), option)));
    if (!correct.children.length) correct.append(el('p', { class: 'muted' }, 'Type the options first.'));
  };
  options.addEventListener('input', drawCorrect);
  drawCorrect();
  const node = el('fieldset', { class: 'question-editor' }, el('legend', {}, `Question ${n}`),
    el('div', { class: 'field' }, el('label', { for: id('text') }, 'Question'), text),
    el('div', { class: 'field' }, el('label', { for: id('kind') }, 'Kind'), kind),
    el('div', { class: 'field' }, el('label', { for: id('options') }, 'Options'), options,
      el('p', { class: 'hint', id: id('options-hint') }, 'One per line, 2 to 20.')),
    el('fieldset', {}, el('legend', {}, 'Correct answers'), correct),
    el('div', { class: 'inline-fields' },
      el('div', { class: 'field' }, el('label', { for: id('limit') }, 'Time limit (seconds)'), limit),
      el('div', { class: 'field' }, el('label', { for: id('points') }, 'Points'), points)),
    el('button', { type: 'button', class: 'secondary', onclick: remove }, 'Remove this question'));
  node.read = () => {
    const question = { kind: kind.value, question: text.value.trim(),
      options: lines(options.value).map((t, i) => ({ id: OPTION_IDS[i] || `o${i + 1}`, text: t })),
      correct: [...correct.querySelectorAll('input:checked')].map((c) => c.value),
      timeLimitSeconds: Number(limit.value), points: Number(points.value) };
    return question;
  };
  return { node, focus: () => text.focus() };
}

// ---------------------------------------------------------------------------------------------------------
// A quiz being run: start, next question, close question, finish; the question on air with its countdown; the
// leaderboard after each question.

function quizUpdated(quiz) {
  const card = quizzes.get(quiz.id);
  if (card) card.update(quiz);
  else document.getElementById('quizzes')?.append(quizCard(quiz).node);
}

function quizCard(initial) {
  let quiz = initial;
  let deadline = null; // the open question's deadline by this browser's clock
  let timer = null;
  const titleId = `quiz-${quiz.id}-title`;
  const meta = el('p', { class: 'meta' });
  const error = el('div', { role: 'alert' });
  const now = el('div', { class: 'question-now', hidden: true });
  const countdown = el('span', { class: 'countdown', role: 'timer', 'aria-live': 'off' });
  const tally = el('p', { class: 'tally' });
  const board = el('ol', { class: 'podium' });
  const boardSection = el('section', { 'aria-labelledby': `quiz-${quiz.id}-board`, hidden: true },
    el('h4', { id: `quiz-${quiz.id}-board` }, 'Leaderboard (top 10)'), board);
  const buttons = {
    start: el('button', { type: 'button' }, 'Start'),
    next: el('button', { type: 'button' }, 'Next question'),
    close: el('button', { type: 'button', class: 'secondary' }, 'Close question'),
    finish: el('button', { type: 'button', class: 'secondary' }, 'Finish'),
  };
  const node = el('article', { class: 'card run', dataset: { quiz: quiz.id }, 'aria-labelledby': titleId },
    el('h3', { id: titleId }, quiz.title),
    meta,
    el('div', { class: 'row actions', role: 'group', 'aria-label': `Run quiz: ${quiz.title}` }, Object.values(buttons)),
    error, now, tally, boardSection);

  for (const [action, button] of Object.entries(buttons)) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        const reply = await client.request({ type: 'run-quiz', quizId: quiz.id, eventId, action });
        showError(error, null);
        update(reply.quiz);
      } catch (problem) {
        showError(error, problem.code === 'disconnected'
          ? 'Not connected: wait for the connection to come back, then try again.'
          : `${button.textContent} failed: ${problem.message || problem.code}`);
        update(quiz);
      }
      if (button.disabled) Object.values(buttons).find((b) => !b.disabled)?.focus();
    });
  }

  const current = () => (quiz.questions || [])[quiz.currentPosition - 1] || null;

  function update(next) {
    quiz = next;
    node.dataset.status = quiz.status;
    const q = current();
    const open = Boolean(q && q.open);
    fill(meta, el('span', { class: 'status-badge' }, QUIZ_STATUS[quiz.status] || quiz.status),
      ` · ${quiz.questionCount} ${quiz.questionCount === 1 ? 'question' : 'questions'}`,
      quiz.currentPosition ? ` · question ${quiz.currentPosition} of ${quiz.questionCount}` : '',
      quiz.sessionId ? ` · session ${sessionName(quiz.sessionId)}` : '');
    buttons.start.disabled = quiz.status !== 'draft';
    buttons.next.disabled = quiz.status !== 'running' || open || quiz.currentPosition >= quiz.questionCount;
    buttons.close.disabled = !open;
    buttons.finish.disabled = quiz.status !== 'running' || open;
    if (q) showQuestion(q);
  }

  function showQuestion(q) {
    const correct = new Set(q.correct || []);
    fill(now,
      el('p', {}, el('strong', {}, `Question ${q.position} of ${quiz.questionCount}: `), q.question),
      el('ol', { type: 'A' }, (q.options || []).map((o) => el('li', { class: correct.has(o.id) ? 'correct' : null },
        o.text, correct.has(o.id) ? ' ✓ correct' : ''))),
      // the server counts answers once the question closes (quiz-results); nothing counts them live
      q.open ? el('p', {}, 'Time left: ', countdown, el('span', { class: 'muted' }, ' · answers are counted when it closes'))
        : el('p', { class: 'muted' },
        q.closedBy === 'presenter' ? 'Closed by the presenter.' : 'Closed.'));
    now.hidden = false;
    clearInterval(timer);
    if (q.open && q.remainingMs != null) {
      deadline = Date.now() + q.remainingMs;
      const tick = () => {
        const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
        countdown.textContent = `${left} s`;
        if (left === 0) clearInterval(timer);
      };
      tick();
      timer = setInterval(tick, 250);
    }
  }

  // a question opened (pushed to the audience): shown with its countdown
  function questionOpened(question, questionCount) {
    const questions = [...(quiz.questions || [])];
    questions[question.position - 1] = { ...questions[question.position - 1], ...question };
    fill(tally, '');
    update({ ...quiz, status: 'running', questionCount, currentPosition: question.position, questions });
    say(`Question ${question.position} is open: ${question.question}`);
  }

  // a question closed: the correct options, how many answered, and the top ten
  function questionClosed(data) {
    const questions = [...(quiz.questions || [])];
    questions[data.question.position - 1] = { ...questions[data.question.position - 1], ...data.question };
    update({ ...quiz, questionCount: data.questionCount, currentPosition: data.question.position, questions });
    fill(tally, `Answered: ${data.answered} · correct: ${data.answeredCorrectly} · players so far: ${data.players}`);
    fill(board, (data.leaderboard || []).map((p) => el('li', {},
      el('span', {}, `${p.rank}. Player ${p.player}`),
      el('span', { class: 'score' }, `${p.score} points`))));
    if (!(data.leaderboard || []).length) board.append(el('li', {}, 'Nobody has scored yet.'));
    boardSection.hidden = false;
    const leader = (data.leaderboard || [])[0];
    say(`Question ${data.question.position} closed: ${data.answered} answered.`
      + (leader ? ` Leading: player ${leader.player} with ${leader.score} points.` : ''));
  }

  function status(value) {
    update({ ...quiz, status: value });
  }

  update(quiz);
  const card = { node, update, questionOpened, questionClosed, status };
  quizzes.set(quiz.id, card);
  return card;
}
