// The ops dashboard (/ops): signs in with an organizer key for every event, then reads GET /api/ops/cluster every
// POLL_MS and shows each node, each lobby line, and live charts whose rates are computed here from successive
// samples of the nodes' counters.
import { api, el, fill, announcer } from './common.js';
import { signInProviders, currentSession, signInLinks, signOutOfSession } from './signin.js';

const POLL_MS = 2000;
/** Points kept per chart: four minutes at one sample per poll. */
const KEEP = 120;
const KEY_STORE = 'foyer.ops.key';

const $ = (id) => document.getElementById(id);
const say = announcer($('spoken'), { gapMs: 3000, keep: 4 });
const number = new Intl.NumberFormat('en');
const decimal = new Intl.NumberFormat('en', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

let key = sessionStorage.getItem(KEY_STORE);
/** The single sign-on session the dashboard reads with (its cookie), when it was not given a key. */
let session = null;
let timer = null;
let generation = 0;
/** Per node: its last record whose `at` moved on, to compute rates from. */
let previous = new Map();
/** Per node: the rates computed from its last two records, kept until its next record arrives. */
let rates = new Map();
let knownNodes = null;
let online = null;
const series = { t: [], registrations: [], votes: [], connections: [] };
const charts = {};

// ---- signing in and out ----

$('signin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const given = $('key').value.trim();
  if (!given) {
    signInError('Enter an organizer API key.');
    return;
  }
  $('signin-button').disabled = true;
  try {
    const cluster = await api('/api/ops/cluster', { token: given });
    key = given;
    sessionStorage.setItem(KEY_STORE, key);
    $('key').value = '';
    signInError('');
    showDashboard(cluster);
  } catch (problem) {
    signInError(explain(problem, false));
    $('key').focus();
  } finally {
    $('signin-button').disabled = false;
  }
});

$('sign-out').addEventListener('click', async () => {
  if (session && !(await signOutOfSession(session))) return;
  signOut('');
});

/** Offers the providers' sign-in; someone already signed in whose roles cover every event sees the dashboard. */
async function offerSignIn() {
  const [providers, current] = await Promise.all([signInProviders(), currentSession()]);
  const links = signInLinks(providers, '/ops');
  if (links) $('signin-providers').replaceChildren(links);
  $('signin-providers').hidden = !links;
  if (key || !current.signedIn) return;
  try {
    const cluster = await api('/api/ops/cluster');
    session = current;
    $('signed-in-as').textContent = `Signed in as ${current.name}`;
    showDashboard(cluster);
  } catch (problem) {
    signInError(problem.status === 403
      ? `You are signed in as ${current.name}, but your roles do not cover every event. Sign in with an `
        + 'organizer API key for every event, or ask for the organizer role for every event.'
      : explain(problem, false));
  }
}

function signInError(text) {
  $('signin-error').textContent = text;
  $('key').setAttribute('aria-invalid', text ? 'true' : 'false');
}

function signOut(reason) {
  generation++;
  clearTimeout(timer);
  key = null;
  session = null;
  $('signed-in-as').textContent = '';
  sessionStorage.removeItem(KEY_STORE);
  $('dashboard').hidden = true;
  $('sign-out').hidden = true;
  $('connection').hidden = true;
  $('signin').hidden = false;
  signInError(reason);
  previous = new Map();
  rates = new Map();
  knownNodes = null;
  online = null;
  for (const name of Object.keys(series)) series[name] = [];
  $('key').focus();
}

/** A problem in plain words: what happened and what to do (while watching, the page retries by itself). */
function explain(problem, watching = true) {
  const retry = watching ? ' The page keeps trying.' : ' Try again in a moment.';
  switch (problem.status) {
    case 0: return `The server cannot be reached. Check your network.${retry}`;
    case 401: return 'That key was not accepted. Check that it is an organizer API key, and try again.';
    case 403: return 'That key is limited to one event. The operations view needs a key for every event.';
    case 503: return `The server is busy or starting up.${retry}`;
    default: return `The server answered with an error (${problem.status}): ${problem.message}`;
  }
}

function showDashboard(cluster) {
  $('signin').hidden = true;
  $('dashboard').hidden = false;
  $('sign-out').hidden = false;
  $('connection').hidden = false;
  setupCharts();
  const mine = ++generation;
  if (cluster) {
    render(cluster);
    schedule(mine);
  } else {
    poll(mine);
  }
  $('main').focus();
}

// ---- polling ----

function schedule(mine) {
  clearTimeout(timer);
  timer = setTimeout(() => poll(mine), POLL_MS);
}

async function poll(mine) {
  try {
    const cluster = await api('/api/ops/cluster', { token: key });
    if (mine !== generation) return;
    render(cluster);
  } catch (problem) {
    if (mine !== generation) return;
    if (problem.status === 401 || problem.status === 403) {
      signOut(`${explain(problem)} You have been signed out.`);
      return;
    }
    connection(false, explain(problem));
  }
  schedule(mine);
}

function connection(ok, problem) {
  if (online !== ok) {
    if (online !== null) say(ok ? 'Connected to the server again.' : 'Lost the server; retrying.');
    online = ok;
  }
  const state = $('connection');
  const text = ok ? 'Live' : 'Offline, retrying';
  state.dataset.state = ok ? 'online' : 'offline';
  // a status region speaks on every change of its text: only a real change is written
  if (state.textContent !== text) state.textContent = text;
  $('problem').hidden = ok;
  if (!ok) $('problem').textContent = problem;
}

// ---- rendering ----

function render(cluster) {
  connection(true);
  const now = Date.parse(cluster.at) || Date.now();
  const nodes = cluster.nodes || [];
  sample(nodes);
  renderNodes(nodes);
  renderLobbies(cluster.lobbies || []);
  renderSignIn(cluster.signIn || []);
  renderTotals(nodes);
  renderCharts(now / 1000, nodes);
  announceChanges(nodes);
  $('refresh').textContent = `Updated ${new Date(now).toLocaleTimeString('en')}; refreshed every ${POLL_MS / 1000} seconds.`;
}

/** Each node's rates since its previous record; a node that restarted (counters back to 0) counts from there. */
function sample(nodes) {
  const seen = new Set();
  for (const node of nodes) {
    seen.add(node.node);
    const at = Date.parse(node.at);
    const before = previous.get(node.node);
    if (before && before.at === at) continue;
    if (before && at > before.at) {
      const seconds = (at - before.at) / 1000;
      const rate = (name) => Math.max(0, node.counters[name] - before.counters[name]) / seconds;
      rates.set(node.node, { registrations: rate('registrations'), votes: rate('votes') });
    }
    previous.set(node.node, { at, counters: node.counters });
  }
  for (const id of [...previous.keys()]) {
    if (!seen.has(id)) {
      previous.delete(id);
      rates.delete(id);
    }
  }
}

function renderNodes(nodes) {
  fill($('nodes').tBodies[0], nodes.map((node) => el('tr', { class: node.self ? 'self' : null, dataset: { node: node.node } },
    el('td', {}, node.node, node.self ? el('span', { class: 'muted' }, ' (this node)') : null),
    el('td', {}, node.region),
    el('td', {}, node.version),
    el('td', { class: 'num' }, uptime(node.uptimeSeconds)),
    el('td', { class: 'num' }, number.format(node.connections)),
    el('td', { class: 'num' }, `${decimal.format(node.eventLoopLagMillis)} ms`),
    el('td', { class: 'num' }, number.format(node.registrationQueue)),
    el('td', {}, node.drivesLobbies.length ? node.drivesLobbies.map((id) => `event ${id}`).join(', ') : 'none'))));
}

function renderLobbies(lines) {
  $('no-lobbies').hidden = lines.length > 0;
  fill($('lobbies').tBodies[0], lines.map((line) => el('tr', { dataset: { event: line.eventId } },
    el('td', {}, `Event ${line.eventId}`),
    el('td', {}, lineState(line)),
    el('td', { class: 'num' }, number.format(line.waiting)),
    el('td', { class: 'num' }, number.format(line.serving)),
    el('td', { class: 'num' }, decimal.format(line.ratePerSecond)),
    el('td', { class: 'num' }, line.waiting > 0 && !line.paused ? `${decimal.format(line.drainSeconds)} s` : '–'))));
}

/** The providers and their role rules, so that operators can see who becomes what when signing in. */
function renderSignIn(providers) {
  $('no-sso').hidden = providers.length > 0;
  $('sso').hidden = providers.length === 0;
  fill($('sso').tBodies[0], providers.map((provider) => el('tr', {},
    el('th', { scope: 'row' }, `${provider.label} (${provider.id})`),
    el('td', {}, provider.issuer),
    el('td', {}, el('code', {}, provider.rolesClaim)),
    el('td', {}, provider.roles.length === 0 ? 'none: signs nobody in as staff'
      : el('ul', { class: 'plain' }, ...provider.roles.map((rule) => el('li', {}, el('code', {}, rule))))),
    el('td', {}, provider.attendees ? 'may register' : 'no'))));
}

function lineState(line) {
  if (!line.open) return el('span', { class: 'tag closed' }, 'closed');
  if (line.paused) return el('span', { class: 'tag paused' }, 'open, paused');
  return el('span', { class: 'tag open' }, 'open');
}

function renderTotals(nodes) {
  const sum = (pick) => nodes.reduce((total, node) => total + pick(node), 0);
  $('total-nodes').textContent = number.format(nodes.length);
  $('total-connections').textContent = number.format(sum((n) => n.connections));
  $('total-registrations').textContent = number.format(sum((n) => n.counters.registrations));
  $('total-votes').textContent = number.format(sum((n) => n.counters.votes));
  $('total-quiz-answers').textContent = number.format(sum((n) => n.counters.quizAnswers));
  $('total-lobby-joins').textContent = number.format(sum((n) => n.counters.lobbyJoins));
}

/** Node joins and leaves, spoken (not the first list: the table shows it). */
function announceChanges(nodes) {
  const now = new Map(nodes.map((node) => [node.node, node]));
  if (knownNodes) {
    for (const [id, node] of now) if (!knownNodes.has(id)) say(`Node ${id} (${node.region}) joined.`);
    for (const [id, node] of knownNodes) if (!now.has(id)) say(`Node ${id} (${node.region}) left.`);
  }
  knownNodes = now;
}

function uptime(seconds) {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${seconds} s`;
}

// ---- charts (uPlot), each with its figures in words next to it ----

const CHARTS = [
  { name: 'registrations', label: 'Registrations per second', colour: '#1f5fbf', unit: 'per second' },
  { name: 'votes', label: 'Votes per second', colour: '#1d6b3a', unit: 'per second' },
  { name: 'connections', label: 'Open connections', colour: '#8a4b00', unit: 'connections' },
];

function setupCharts() {
  if (typeof uPlot === 'undefined' || charts.registrations) return; // without the library the words still work
  for (const chart of CHARTS) {
    const box = $(`chart-${chart.name}`);
    charts[chart.name] = new uPlot({
      width: chartWidth(box), height: 160, legend: { show: false }, cursor: { show: false },
      scales: {
        // set with each sample (see renderCharts): at least a minute wide, also with one sample
        x: { time: true, auto: false },
        y: { range: (u, min, max) => [0, Math.max(1, (max || 0) * 1.2)] },
      },
      axes: [{ stroke: '#4a5565' }, { stroke: '#4a5565', size: 50 }],
      series: [{}, { label: chart.label, stroke: chart.colour, width: 2, fill: `${chart.colour}22` }],
    }, [[], []], box);
  }
  window.addEventListener('resize', resizeCharts);
}

function chartWidth(box) {
  return Math.max(200, Math.floor(box.getBoundingClientRect().width || box.parentElement.clientWidth || 300));
}

function resizeCharts() {
  for (const [name, plot] of Object.entries(charts)) plot.setSize({ width: chartWidth($(`chart-${name}`)), height: 160 });
}

function renderCharts(t, nodes) {
  const sum = (field) => [...rates.values()].reduce((total, r) => total + r[field], 0);
  push('t', t);
  push('registrations', rates.size ? sum('registrations') : 0);
  push('votes', rates.size ? sum('votes') : 0);
  push('connections', nodes.reduce((total, node) => total + node.connections, 0));
  for (const chart of CHARTS) {
    const values = series[chart.name];
    const plot = charts[chart.name];
    if (plot) {
      const last = series.t[series.t.length - 1];
      plot.batch(() => {
        plot.setData([series.t, values]);
        plot.setScale('x', { min: Math.min(series.t[0], last - 60), max: last });
      });
    }
    const current = values[values.length - 1];
    const peak = Math.max(...values);
    const minutes = Math.max(1, Math.round((series.t[series.t.length - 1] - series.t[0]) / 60));
    const format = chart.name === 'connections' ? number : decimal;
    $(`text-${chart.name}`).textContent = `Now ${format.format(current)} ${chart.unit}; `
      + `peak ${format.format(peak)} in the last ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
  }
}

function push(name, value) {
  series[name].push(value);
  if (series[name].length > KEEP) series[name].shift();
}

// a key kept in this tab signs in again on reload; else a single sign-on session may
if (key) showDashboard(null);
offerSignIn();
