// The Gatehouse dashboard (docs/dashboard.md). No framework, no build step.
//
// Who: the page first asks /v1/whoami. Without a credential (401) it shows a login form that posts
// /v1/login with `cookie: true`: the proxy sets the __Host-gatehouse cookie (HttpOnly, so this
// script never sees the credential) and answers the CSRF token writes need. A 401 later (the
// credential expired, the user was removed, logged out in another tab) brings the form back, and
// the model is emptied, so the next user never sees what the last one could.
//
// How it stays live: it opens /v1/events first and, each time the stream opens (first load, or
// after the proxy came back), fetches /v1/resources, /v1/agents, /v1/sessions and /readyz.
// Session and audit events are applied as they come; any other change to resources, heartbeats or
// tunnels (which agent is connected to which proxy), and any change of the health digest in the
// proxy's `status` event, schedules one debounced refetch of resources and agents. Nothing polls:
// the one-second timer only re-renders relative times and watches for a silent stream.
//
// Every piece of data reaches the page through textContent or an attribute, never as HTML.

const AUDIT_LIMIT = 200;
const REFETCH_DELAY_MS = 250;
const LOAD_RETRY_MS = 2000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
/** The proxy sends `status` at least every 15 s; this much silence means a dead connection. */
const SILENCE_LIMIT_MS = 35000;
const MAX_QUEUED_EVENTS = 5000;
const KINDS = ['app', 'db', 'desktop', 'kube'];
/** How soon to ask /v1/whoami again while the proxy cannot say who this is (down, or starting). */
const WHOAMI_RETRY_MS = 2000;
/** Upper bound of a timer (setTimeout overflows past 2^31 - 1 ms). */
const MAX_TIMER_MS = 2147483647;
const LOGIN_ENDED = 'Your login has ended (expired, revoked, or logged out elsewhere). Log in again.';

const model = emptyModel();

/** What the page shows of the proxy; emptied at every login and logout. */
function emptyModel() {
  return {
    resources: [],
    agents: [],
    /** short id (12 hex digits of the session key, never the cookie) → session, as /v1/sessions shows it */
    sessions: new Map(),
    audit: [],
    auditTotal: 0,
    status: null,
    loaded: false,
    /** Views whose listing the user's roles do not allow (403): said so instead of "empty". */
    forbidden: { resources: false, agents: false, sessions: false },
  };
}

function resetModel() {
  Object.assign(model, emptyModel());
}

/**
 * The logged-in user as /v1/whoami or /v1/login answered ({user, roles, method, expiresAt, csrf}),
 * never the credential itself. `epoch` counts logins and logouts: a fetch or event of an earlier
 * one is dropped when it completes.
 */
const auth = {
  me: null,
  view: 'checking',
  epoch: 0,
  /** Why the proxy cannot say who this is yet: 'unreachable', 'starting', or ''. */
  problem: '',
  checking: null,
  expiryTimer: 0,
  whoamiTimer: 0,
};

const connection = emptyConnection();

function emptyConnection() {
  return {
    source: null,
    open: false,
    everOpened: false,
    failed: false,
    lastMessageAt: 0,
    retryMs: FIRST_RETRY_MS,
    retryTimer: 0,
    loading: false,
    queued: [],
  };
}

// ---------------------------------------------------------------------------------------------
// Stream time: freshness is judged as the proxy judges liveness, against the time up to which the
// stream has been seen (moved on by the local clock between events, frozen while Kafka is away),
// so a skewed laptop clock or a Kafka outage does not paint every agent stale.

const streamClock = { at: 0, observedAt: 0, frozen: false };

function observeStreamTime(iso) {
  const t = Date.parse(iso);
  if (Number.isFinite(t) && t > 0 && (streamClock.at === 0 || t > streamNow())) {
    streamClock.at = t;
    streamClock.observedAt = Date.now();
  }
}

function freezeStreamClock(frozen) {
  if (frozen === streamClock.frozen) {
    return;
  }
  streamClock.at = streamNow();
  streamClock.observedAt = Date.now();
  streamClock.frozen = frozen;
}

function streamNow() {
  if (streamClock.at === 0) {
    return Date.now();
  }
  return streamClock.frozen ? streamClock.at : streamClock.at + (Date.now() - streamClock.observedAt);
}

// ---------------------------------------------------------------------------------------------
// Who is logged in

/** A 401 from the API: this browser's credential no longer counts. */
class SignedOut extends Error {}

/** What a listing the user's roles do not allow (403) loads as. */
const FORBIDDEN = Symbol('forbidden');

/** Same origin, so the browser sends the __Host-gatehouse cookie; never cached. */
function request(path, init = {}) {
  return fetch(path, { credentials: 'same-origin', cache: 'no-store', ...init, headers: { Accept: 'application/json', ...(init.headers || {}) } });
}

/**
 * What the proxy says of this browser's credential: {state: 'in', me}, {state: 'out', message}, or
 * {state: 'unknown'} when it cannot say (unreachable, or still reading its users from Kafka: until
 * then it refuses every credential, and a restart must not log the page out).
 */
async function askWhoami() {
  let response;
  try {
    response = await request('/v1/whoami');
  } catch (e) {
    return { state: 'unknown', problem: 'unreachable' };
  }
  if (response.ok) {
    return { state: 'in', me: await response.json() };
  }
  if (response.status !== 401 && response.status !== 403) {
    return { state: 'unknown', problem: 'unreachable' };
  }
  // 403 is a locked user: the proxy's text says so and until when.
  const message = response.status === 403 ? await errorText(response) : '';
  return (await proxyReady()) ? { state: 'out', message } : { state: 'unknown', problem: 'starting' };
}

async function proxyReady() {
  try {
    return (await request('/readyz')).status === 200;
  } catch (e) {
    return false;
  }
}

/** The `error` text of the proxy's JSON error, or the status when there is none. */
async function errorText(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === 'string' && body.error) {
      return body.error;
    }
  } catch (e) {
    // Not JSON: say the status instead.
  }
  return `The proxy answered HTTP ${response.status}.`;
}

/** First load: the dashboard when the browser is logged in, the form when not. */
async function boot() {
  clearTimeout(auth.whoamiTimer);
  const epoch = auth.epoch;
  const answer = await askWhoami();
  if (epoch !== auth.epoch) {
    return;
  }
  if (answer.state === 'in') {
    startDashboard(answer.me);
  } else if (answer.state === 'out') {
    showLogin(answer.message);
  } else {
    auth.problem = answer.problem;
    auth.whoamiTimer = setTimeout(boot, WHOAMI_RETRY_MS);
    render();
  }
}

/**
 * A fetch or the event stream was refused: asks /v1/whoami whether the login still counts, and goes
 * back to the form when it does not. Resolves to the answer's state; concurrent callers share one
 * question.
 */
function checkLogin() {
  if (!auth.checking) {
    const epoch = auth.epoch;
    auth.checking = askWhoami().then((answer) => {
      auth.checking = null;
      if (epoch !== auth.epoch) {
        return 'stale';
      }
      if (answer.state === 'out') {
        showLogin(answer.message || LOGIN_ENDED);
      } else if (answer.state === 'in' && answer.me.user !== auth.me.user) {
        // Another tab logged in as someone else: the cookie is theirs now, and so is this page.
        startDashboard(answer.me);
        return 'stale';
      } else if (answer.state === 'in') {
        setMe(answer.me);
      } else {
        // Cannot tell now (proxy down or starting): ask again later.
        scheduleExpiryCheck();
      }
      return answer.state;
    });
  }
  return auth.checking;
}

function setMe(me) {
  auth.me = { user: me.user, roles: me.roles || [], method: me.method, expiresAt: me.expiresAt, csrf: me.csrf };
  scheduleExpiryCheck();
}

/** When the credential expires, the browser drops the cookie; the page then asks who it is. */
function scheduleExpiryCheck() {
  clearTimeout(auth.expiryTimer);
  const left = Date.parse(auth.me.expiresAt) - Date.now();
  // A skewed local clock must not make this a busy loop: at least a minute between checks.
  const delay = Number.isFinite(left) ? Math.min(Math.max(left + 1000, 60000), MAX_TIMER_MS) : 60000;
  auth.expiryTimer = setTimeout(checkLogin, delay);
}

function startDashboard(me) {
  stopDashboard();
  setMe(me);
  auth.view = 'dashboard';
  auth.problem = '';
  showView();
  connect();
  render();
}

/** Closes the stream, cancels every timer and forgets every row: nothing outlives a login. */
function stopDashboard() {
  auth.epoch += 1;
  auth.me = null;
  auth.checking = null;
  clearTimeout(auth.expiryTimer);
  clearTimeout(auth.whoamiTimer);
  if (connection.source) {
    connection.source.close();
  }
  clearTimeout(connection.retryTimer);
  Object.assign(connection, emptyConnection());
  clearTimeout(refetch.timer);
  Object.assign(refetch, { timer: 0, inFlight: false, again: false });
  Object.assign(streamClock, { at: 0, observedAt: 0, frozen: false });
  resetModel();
}

function showLogin(message) {
  stopDashboard();
  auth.view = 'login';
  auth.problem = '';
  showView();
  const form = loginForm();
  setLoginError(message || '');
  form.submit.disabled = false;
  form.password.value = '';
  (form.user.value ? form.password : form.user).focus();
  render();
}

function showView() {
  const dashboard = auth.view === 'dashboard';
  byId('login').hidden = auth.view !== 'login';
  byId('dashboard').hidden = !dashboard;
  byId('connection').hidden = !dashboard;
  byId('who').hidden = !dashboard;
}

let loginElements = null;

/** The form, built once with DOM calls; submitted with fetch (the policy says form-action 'none'). */
function loginForm() {
  if (loginElements) {
    return loginElements;
  }
  const user = el('input', { id: 'login-user', name: 'user', 'data-testid': 'login-user', autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: '' });
  const password = el('input', { id: 'login-password', name: 'password', type: 'password', 'data-testid': 'login-password', autocomplete: 'current-password', required: '' });
  const submit = el('button', { type: 'submit', class: 'login-submit', 'data-testid': 'login-submit' }, 'Log in');
  const error = el('p', { class: 'login-error', id: 'login-error', 'data-testid': 'login-error', role: 'alert', hidden: '' });
  const form = el('form', { class: 'login-form', 'data-testid': 'login-form', 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Log in to Gatehouse'),
    el('label', { class: 'field', for: 'login-user' }, el('span', {}, 'User'), user),
    el('label', { class: 'field', for: 'login-password' }, el('span', {}, 'Password'), password),
    error,
    submit,
    el('p', { class: 'login-hint' }, 'Dev mode prints a one-time login link that logs this browser in without a password.'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    logIn();
  });
  byId('login').replaceChildren(form);
  loginElements = { form, user, password, submit, error };
  return loginElements;
}

function setLoginError(text) {
  const { error } = loginForm();
  error.textContent = text;
  error.hidden = text === '';
}

async function logIn() {
  const form = loginForm();
  const epoch = auth.epoch;
  form.submit.disabled = true;
  setLoginError('');
  let response;
  try {
    response = await request('/v1/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ user: form.user.value.trim(), password: form.password.value, cookie: true }),
    });
  } catch (e) {
    response = null;
  }
  if (epoch !== auth.epoch) {
    return;
  }
  form.submit.disabled = false;
  if (response === null) {
    setLoginError('The proxy is unreachable; try again.');
    return;
  }
  if (!response.ok) {
    // 401 wrong user name or password, 429 too many failures (with how long to wait), 403 locked.
    setLoginError(await errorText(response));
    form.password.value = '';
    form.password.focus();
    return;
  }
  const me = await response.json();
  form.password.value = '';
  // The answer carries the token too; the cookie holds it, and this page keeps only the rest.
  startDashboard({ user: me.user, roles: me.roles, method: me.method, expiresAt: me.expiresAt, csrf: me.csrf });
}

async function logOut() {
  const csrf = auth.me ? auth.me.csrf : '';
  stopDashboard();
  // The next person at this browser types their own name.
  loginForm().user.value = '';
  let message = '';
  try {
    const response = await request('/v1/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Gatehouse-Csrf': csrf },
      body: '{}',
    });
    if (!response.ok) {
      message = await errorText(response);
    }
  } catch (e) {
    message = 'The proxy is unreachable: this browser may still be logged in.';
  }
  showLogin(message);
}

// ---------------------------------------------------------------------------------------------
// Loading

/** GET JSON: throws SignedOut on 401; answers FORBIDDEN on 403 when okStatuses lists 403. */
async function getJson(path, okStatuses = [200]) {
  const response = await request(path);
  if (response.status === 401) {
    throw new SignedOut(path);
  }
  if (response.status === 403 && okStatuses.includes(403)) {
    return FORBIDDEN;
  }
  if (!okStatuses.includes(response.status)) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

/** A listing the user may not see shows as empty, and the view says why. */
function listing(view, rows) {
  model.forbidden[view] = rows === FORBIDDEN;
  return rows === FORBIDDEN ? [] : rows;
}

/** Everything, after the event stream (re)opened; events that arrive meanwhile wait in a queue. */
async function loadAll() {
  if (connection.loading) {
    return;
  }
  const epoch = auth.epoch;
  connection.loading = true;
  try {
    const [me, resources, agents, sessions, ready] = await Promise.all([
      getJson('/v1/whoami'),
      getJson('/v1/resources', [200, 403]),
      getJson('/v1/agents', [200, 403]),
      getJson('/v1/sessions', [200, 403]),
      getJson('/readyz', [200, 503]),
    ]);
    if (epoch !== auth.epoch) {
      return;
    }
    if (me.user !== auth.me.user) {
      startDashboard(me);
      return;
    }
    // Roles are read at each request: a reconnect shows what they are now.
    setMe(me);
    setResources(listing('resources', resources));
    setAgents(listing('agents', agents));
    model.sessions = new Map(listing('sessions', sessions).map((s) => [s.session, s]));
    observeStreamTime(ready.seenUpTo);
    if (!model.status) {
      applyStatus({ proxy: ready.proxy, caughtUp: ready.ready, kafkaReachable: ready.kafkaReachable, seenUpTo: ready.seenUpTo });
    }
    model.loaded = true;
    connection.loading = false;
    const queued = connection.queued;
    connection.queued = [];
    queued.forEach(([type, change]) => applyChange(type, change));
  } catch (e) {
    if (epoch !== auth.epoch) {
      return;
    }
    connection.loading = false;
    if (e instanceof SignedOut && ['out', 'stale'].includes(await checkLogin())) {
      return;
    }
    if (epoch === auth.epoch && connection.open) {
      setTimeout(() => epoch === auth.epoch && loadAll(), LOAD_RETRY_MS);
    }
  }
  render();
}

const refetch = { timer: 0, inFlight: false, again: false };

/** Resources and agents again, soon: many changes in a burst cost one fetch. */
function scheduleRefetch() {
  if (refetch.timer || !model.loaded) {
    return;
  }
  refetch.timer = setTimeout(() => {
    refetch.timer = 0;
    runRefetch();
  }, REFETCH_DELAY_MS);
}

async function runRefetch() {
  if (refetch.inFlight) {
    refetch.again = true;
    return;
  }
  const epoch = auth.epoch;
  refetch.inFlight = true;
  try {
    const [resources, agents] = await Promise.all([getJson('/v1/resources', [200, 403]), getJson('/v1/agents', [200, 403])]);
    if (epoch !== auth.epoch) {
      return;
    }
    setResources(listing('resources', resources));
    setAgents(listing('agents', agents));
    render();
  } catch (e) {
    // A lost proxy shows on the stream, which reloads everything when it reopens; a lost login
    // goes back to the form.
    if (e instanceof SignedOut && epoch === auth.epoch) {
      checkLogin();
    }
  } finally {
    if (epoch === auth.epoch) {
      refetch.inFlight = false;
      if (refetch.again) {
        refetch.again = false;
        scheduleRefetch();
      }
    }
  }
}

function setResources(resources) {
  model.resources = resources;
  for (const r of resources) {
    for (const a of r.agents) {
      observeStreamTime(a.lastBeat);
    }
  }
}

function setAgents(agents) {
  model.agents = agents;
}

// ---------------------------------------------------------------------------------------------
// The event stream

function connect() {
  clearTimeout(connection.retryTimer);
  if (connection.source) {
    connection.source.close();
  }
  const source = new EventSource('/v1/events');
  connection.source = source;
  source.onopen = () => {
    connection.open = true;
    connection.everOpened = true;
    connection.failed = false;
    connection.retryMs = FIRST_RETRY_MS;
    connection.lastMessageAt = Date.now();
    render();
    loadAll();
  };
  source.onerror = () => {
    if (source !== connection.source) {
      return;
    }
    connection.open = false;
    connection.failed = true;
    // EventSource retries on its own while CONNECTING; once CLOSED it has given up: the proxy
    // answered with an error, which may be a 401 for a login that ended.
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      connection.source = null;
      checkLogin().then((state) => {
        if (state === 'in' || state === 'unknown') {
          reconnectLater();
          render();
        }
      });
    }
    render();
  };
  source.addEventListener('status', (e) => onMessage('status', e));
  for (const topic of ['resources', 'heartbeats', 'tunnels', 'sessions', 'audit']) {
    source.addEventListener(topic, (e) => onMessage(topic, e));
  }
}

function reconnectLater() {
  if (auth.view !== 'dashboard') {
    return;
  }
  if (connection.source) {
    connection.source.close();
    connection.source = null;
  }
  connection.open = false;
  connection.failed = true;
  clearTimeout(connection.retryTimer);
  connection.retryTimer = setTimeout(connect, connection.retryMs);
  connection.retryMs = Math.min(connection.retryMs * 2, MAX_RETRY_MS);
}

function onMessage(type, event) {
  connection.lastMessageAt = Date.now();
  let data;
  try {
    data = JSON.parse(event.data);
  } catch (e) {
    return;
  }
  if (type === 'status') {
    applyStatus(data);
    render();
    return;
  }
  if (connection.loading || !model.loaded) {
    if (connection.queued.length < MAX_QUEUED_EVENTS) {
      connection.queued.push([type, data]);
    }
    return;
  }
  applyChange(type, data);
  render();
}

function applyStatus(status) {
  const before = model.status;
  model.status = status;
  freezeStreamClock(status.kafkaReachable === false);
  observeStreamTime(status.seenUpTo);
  if (!before || !model.loaded) {
    return;
  }
  if (before.caughtUp === false && status.caughtUp) {
    loadAll();
  } else if (before.healthDigest !== status.healthDigest) {
    scheduleRefetch();
  }
}

function applyChange(type, change) {
  switch (type) {
    case 'sessions':
      applySession(change);
      break;
    case 'audit':
      applyAudit(change);
      break;
    case 'heartbeats':
      applyHeartbeat(change);
      break;
    default:
      scheduleRefetch();
  }
}

function applySession(change) {
  if (change.deleted || !change.value) {
    model.sessions.delete(change.key);
    return;
  }
  const pin = change.value;
  model.sessions.set(change.key, {
    session: change.key,
    kind: pin.kind,
    name: pin.name,
    agent: pin.agentId,
    address: pin.agentAddress,
    proxy: pin.proxyId,
    user: pin.user,
    transport: pin.transport,
    startedAt: pin.startedAt,
    lastActiveAt: pin.lastActiveAt,
  });
}

function applyAudit(change) {
  if (!change.value) {
    return;
  }
  model.audit.unshift(change.value);
  model.auditTotal += 1;
  if (model.audit.length > AUDIT_LIMIT) {
    model.audit.length = AUDIT_LIMIT;
  }
}

/** A heartbeat refresh that changes nothing shown (same agent, same labels) costs no refetch. */
function applyHeartbeat(change) {
  const hb = change.value;
  const resource = hb && model.resources.find((r) => r.kind === hb.kind && r.name === hb.name);
  const listed = resource && resource.agents.some((a) => a.agent === hb.agentId);
  if (change.deleted || !listed || !sameLabels(resource.labels, hb.labels)) {
    scheduleRefetch();
  }
}

function sameLabels(a, b) {
  const ka = Object.keys(a || {});
  const kb = Object.keys(b || {});
  return ka.length === kb.length && ka.every((k) => a[k] === b[k]);
}

// ---------------------------------------------------------------------------------------------
// Filters: kind and labels select resources (and the agents, sessions and audit events that
// belong to them); the text matches any cell of any view. They live in the query string.

const filters = { kind: '', labels: [], text: '' };

function readFilters() {
  filters.kind = byId('filter-kind').value;
  filters.labels = parseLabels(byId('filter-label').value);
  filters.text = byId('filter-text').value.trim().toLowerCase();
  const params = new URLSearchParams();
  if (filters.kind) params.set('kind', filters.kind);
  if (byId('filter-label').value.trim()) params.set('labels', byId('filter-label').value.trim());
  if (filters.text) params.set('q', byId('filter-text').value.trim());
  const query = params.toString();
  history.replaceState(null, '', location.pathname + (query ? `?${query}` : '') + location.hash);
}

function restoreFilters() {
  const params = new URLSearchParams(location.search);
  const kind = params.get('kind') || '';
  byId('filter-kind').value = KINDS.includes(kind) ? kind : '';
  byId('filter-label').value = params.get('labels') || '';
  byId('filter-text').value = params.get('q') || '';
}

/** `env=prod team` → [{key:'env', value:'prod'}, {key:'team', value:null}]; `*` globs a value. */
function parseLabels(text) {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((term) => {
      const eq = term.indexOf('=');
      return eq < 0 ? { key: term, value: null } : { key: term.slice(0, eq), value: term.slice(eq + 1) };
    });
}

function globMatches(pattern, value) {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`).test(value);
}

function labelsMatch(labels) {
  return filters.labels.every(({ key, value }) =>
    Object.prototype.hasOwnProperty.call(labels, key) && (value === null || globMatches(value, labels[key])));
}

function textMatches(...fields) {
  if (!filters.text) {
    return true;
  }
  return fields.some((f) => f !== null && f !== undefined && String(f).toLowerCase().includes(filters.text));
}

function selectsResources() {
  return filters.kind !== '' || filters.labels.length > 0;
}

/** kind/name keys of the resources that kind and labels select. */
function selectedResourceKeys() {
  return new Set(
    model.resources.filter((r) => (!filters.kind || r.kind === filters.kind) && labelsMatch(r.labels)).map((r) => `${r.kind}/${r.name}`),
  );
}

// ---------------------------------------------------------------------------------------------
// Rendering

let renderQueued = false;

function render() {
  if (renderQueued) {
    return;
  }
  renderQueued = true;
  setTimeout(() => {
    renderQueued = false;
    renderAll();
  }, 0);
}

function renderAll() {
  const selected = selectedResourceKeys();
  renderBanner();
  renderConnection();
  renderResources(selected);
  renderAgents(selected);
  renderSessions(selected);
  renderAudit(selected);
  renderSummary();
  renderTimes();
}

function renderBanner() {
  const banner = byId('banner');
  const lines = [];
  const status = model.status;
  if (auth.problem === 'unreachable') {
    lines.push(['bad', 'Proxy unreachable — retrying.']);
  } else if (auth.problem === 'starting') {
    lines.push(['warn', 'The proxy is starting: catching up with Kafka…']);
  }
  if (connection.failed && !connection.open) {
    lines.push(['bad', connection.everOpened
      ? 'Proxy unreachable — reconnecting. The page shows the last state it received.'
      : 'Proxy unreachable — retrying.']);
  }
  if (status && status.kafkaReachable === false) {
    lines.push(['bad', `Kafka unreachable since ${clockTime(status.seenUpTo)}; showing last known state.`]);
  }
  if (status && status.caughtUp === false) {
    lines.push(['warn', `Catching up with Kafka… state is complete up to ${clockTime(status.seenUpTo)}; lists may be incomplete.`]);
  }
  banner.hidden = lines.length === 0;
  banner.className = `banner banner-${lines.some(([level]) => level === 'bad') ? 'bad' : 'warn'}`;
  banner.replaceChildren(...lines.map(([, text]) => el('div', { class: 'banner-line' }, text)));
}

function renderConnection() {
  const box = byId('connection');
  const state = connection.open ? 'live' : connection.everOpened ? 'down' : 'connecting';
  box.dataset.state = state;
  byId('connection-text').textContent = state === 'live' ? 'live' : state === 'down' ? 'reconnecting…' : 'connecting…';
  byId('proxy-id').textContent = model.status && model.status.proxy ? `proxy ${model.status.proxy}` : '';
  byId('who-user').textContent = auth.me ? auth.me.user : '';
  const roles = auth.me ? auth.me.roles : [];
  byId('who-roles').textContent = roles.length === 0 ? 'no roles' : roles.join(', ');
  byId('who').title = auth.me ? `logged in (${auth.me.method}) until ${clockTime(auth.me.expiresAt)}` : '';
}

function renderSummary() {
  const healthy = model.agents.filter((a) => a.healthy).length;
  const shown = (view, text) => (model.forbidden[view] ? '–' : text);
  byId('sum-resources').textContent = shown('resources', String(model.resources.length));
  byId('sum-agents').textContent = shown('agents', `${healthy}/${model.agents.length}`);
  byId('sum-sessions').textContent = shown('sessions', String(model.sessions.size));
  byId('sum-audit').textContent = String(model.auditTotal);
}

function renderResources(selected) {
  const rows = model.resources
    .filter((r) => selected.has(`${r.kind}/${r.name}`))
    .filter((r) =>
      textMatches(r.kind, r.name, `${r.kind}/${r.name}`, ...labelTexts(r.labels), ...r.agents.flatMap((a) => [a.agent, a.address])));
  fill('resources', rows, model.resources.length, 'No resources yet: agents announce what they serve, and `gatehouse create -f` defines more.', (r) => {
    const key = `${r.kind}/${r.name}`;
    const level = r.totalAgents === 0 || r.healthyAgents === 0 ? 'bad' : r.healthyAgents < r.totalAgents ? 'warn' : 'ok';
    return el('tr', { 'data-testid': 'resource-row', 'data-key': key },
      el('td', { 'data-label': 'Kind' }, el('span', { class: `kind kind-${r.kind}` }, r.kind)),
      el('td', { 'data-label': 'Name', class: 'name' }, r.name),
      el('td', { 'data-label': 'Labels' }, labelChips(r.labels)),
      el('td', { 'data-label': 'Healthy', class: 'center' },
        el('span', { class: `health ${level}`, 'data-testid': 'healthy-count', title: `${r.healthyAgents} of ${r.totalAgents} agents take new sessions` },
          `${r.healthyAgents}/${r.totalAgents}`)),
      el('td', { 'data-label': 'Agents' },
        r.agents.length === 0
          ? el('span', { class: 'muted' }, 'no agent')
          : el('span', { class: 'agents' }, ...r.agents.map((a) => agentChip(a)))));
  });
}

function agentChip(a) {
  // What the agent's own checks say of the upstream behind it: healthy, unknown or unhealthy.
  const target = a.target ? a.target.state : 'unknown';
  const targetText = a.target && a.target.reason ? `${target}: ${a.target.reason}` : target;
  return el('span', {
    class: `agent-chip${a.healthy ? '' : ' down'}${target === 'unhealthy' ? ' target-down' : ''}`,
    'data-testid': 'resource-agent',
    'data-agent': a.agent,
    'data-target': target,
    title: `${a.agent} at ${a.address}: ${a.healthy ? 'healthy' : 'not taking new sessions'} (${a.origin}); target ${targetText}`,
  },
  beatDot(a.agent, a.lastBeat, a.healthy),
  a.agent);
}

function beatDot(agentId, lastBeat, healthy) {
  return el('span', { class: `beat${healthy ? '' : ' down'}`, 'data-beat': agentId, 'data-time': lastBeat, 'aria-hidden': 'true' });
}

function renderAgents(selected) {
  const servedBy = new Map();
  for (const r of model.resources) {
    for (const a of r.agents) {
      servedBy.set(a.agent, (servedBy.get(a.agent) || []).concat(`${r.kind}/${r.name}`));
    }
  }
  const sessionsBy = new Map();
  for (const s of model.sessions.values()) {
    sessionsBy.set(s.agent, (sessionsBy.get(s.agent) || 0) + 1);
  }
  const rows = model.agents
    .filter((a) => !selectsResources() || (servedBy.get(a.agent) || []).some((k) => selected.has(k)))
    .filter((a) => textMatches(a.agent, a.address, a.status, a.version, a.state, ...(a.proxies || [])));
  const here = model.status && model.status.proxy;
  fill('agents', rows, model.agents.length, 'No agent is connected yet.', (a) => {
    const served = servedBy.get(a.agent) || [];
    const level = a.healthy ? 'ok' : a.status === 'draining' || a.status === 'ejected' ? 'warn' : 'bad';
    const statusTitle = a.ejectedUntil ? `ejected until ${clockTime(a.ejectedUntil)}` : `${a.state}, version ${a.version || 'unknown'}`;
    const proxies = a.proxies || [];
    return el('tr', { 'data-testid': 'agent-row', 'data-agent': a.agent },
      el('td', { 'data-label': 'Agent', class: 'name' }, a.agent),
      // The mesh: every live proxy this agent keeps a tunnel to; this proxy's own is marked.
      el('td', { 'data-label': 'Proxies', 'data-testid': 'agent-proxies' },
        proxies.length === 0
          ? el('span', { class: 'muted' }, 'none')
          : el('span', { class: 'agents' }, ...proxies.map((p) => el('span', { class: `agent-chip${p === here ? ' here' : ''}`, 'data-proxy': p, title: p === here ? 'this proxy' : p }, p)))),
      el('td', { 'data-label': 'Address', class: 'mono' }, a.address || '—'),
      el('td', { 'data-label': 'Status' }, el('span', { class: `pill ${level}`, title: statusTitle }, a.status)),
      el('td', { 'data-label': 'Resources', class: 'num', title: served.join(', ') }, String(served.length)),
      el('td', { 'data-label': 'Connected', title: a.since ? `since ${a.since}` : 'not connected' },
        a.since ? el('span', { 'data-ago': a.since, 'data-ago-format': 'duration' }) : el('span', { class: 'muted' }, '—')),
      // A draining agent says how many of its sessions are still open; they end by the drain timeout.
      el('td', { 'data-label': 'Sessions', class: 'num', 'data-testid': 'agent-sessions' },
        a.status === 'draining' && Number.isInteger(a.sessions)
          ? el('span', { title: 'sessions still open on the draining agent, as it last said; pinned sessions counted here move on their next request' }, `${a.sessions} to finish`)
          : String(sessionsBy.get(a.agent) || 0)));
  });
}

function renderSessions(selected) {
  const all = [...model.sessions.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  const rows = all
    .filter((s) => !selectsResources() || selected.has(`${s.kind}/${s.name}`) || (!filters.labels.length && s.kind === filters.kind))
    .filter((s) => textMatches(s.session, s.user, `${s.kind}/${s.name}`, s.agent, s.address, s.proxy, s.transport));
  fill('sessions', rows, all.length, 'No open sessions.', (s) =>
    el('tr', { 'data-testid': 'session-row', 'data-session': s.session },
      el('td', { 'data-label': 'User' }, s.user ? s.user : el('span', { class: 'muted' }, 'anonymous')),
      el('td', { 'data-label': 'Resource', class: 'name' }, `${s.kind}/${s.name}`),
      el('td', { 'data-label': 'Agent' }, s.agent),
      el('td', { 'data-label': 'Proxy' }, s.proxy),
      el('td', { 'data-label': 'Age', title: `session ${s.session}…, ${s.transport}` }, el('span', { 'data-ago': s.startedAt, 'data-ago-format': 'duration' }))));
}

function renderAudit(selected) {
  const rows = model.audit
    .filter((e) => !selectsResources() || selected.has(`${e.kind}/${e.name}`) || (!filters.labels.length && e.kind === filters.kind))
    .filter((e) => textMatches(e.type, e.kind && `${e.kind}/${e.name}`, e.user, e.details && e.details.remote, e.outcome, e.agentId, e.proxyId, e.sessionId));
  fill('audit', rows, model.audit.length, 'Waiting for audit events: the feed shows those that happen while this page is open.', (e) => {
    const who = e.user || (e.details && e.details.remote) || '—';
    const level = e.outcome === 'ok' || e.outcome === 'closed' ? 'ok' : e.outcome === 'expired' || e.outcome === 'lost' ? 'warn' : 'bad';
    const details = Object.entries(e.details || {}).map(([k, v]) => `${k}=${v}`).join(', ');
    return el('tr', { 'data-testid': 'audit-row', 'data-type': e.type, title: details },
      el('td', { 'data-label': 'Time', class: 'mono', title: e.time }, clockTime(e.time)),
      el('td', { 'data-label': 'Action' }, el('span', { class: 'action' }, e.type)),
      el('td', { 'data-label': 'Resource', class: 'name' },
        e.kind ? `${e.kind}/${e.name}` : '—',
        e.agentId ? el('span', { class: 'sub' }, `via ${e.agentId}`) : ''),
      el('td', { 'data-label': 'User / remote' }, who),
      el('td', { 'data-label': 'Outcome' }, el('span', { class: `pill ${level}` }, e.outcome)));
  });
}

/** Replaces a view's rows; says why it is empty when it is. */
function fill(view, rows, total, emptyText, row) {
  const forbidden = model.forbidden[view] === true;
  byId(`${view}-body`).replaceChildren(...rows.map(row));
  byId(`count-${view}`).textContent = forbidden ? '' : rows.length === total ? String(total) : `${rows.length} of ${total}`;
  const empty = byId(`${view}-empty`);
  empty.hidden = rows.length > 0 || !model.loaded;
  empty.dataset.forbidden = String(forbidden);
  empty.textContent = forbidden
    ? `Your roles do not allow listing ${view}.`
    : total === 0 ? emptyText : 'Nothing matches the filters.';
}

/** Relative times and beat dots: re-rendered every second from the model, without a fetch. */
function renderTimes() {
  for (const dot of document.querySelectorAll('[data-beat]')) {
    // Liveness is the agent's tunnel, not the age of a record: the dot shows this proxy's verdict.
    const state = dot.classList.contains('down') ? 'stale' : 'fresh';
    dot.classList.remove('fresh', 'ageing', 'stale');
    dot.classList.add(state);
    dot.title = `last heartbeat ${ago(streamNow() - Date.parse(dot.dataset.time))} (${state === 'fresh' ? 'taking sessions' : 'not taking new sessions'})`;
  }
  for (const span of document.querySelectorAll('[data-ago]')) {
    const age = streamNow() - Date.parse(span.dataset.ago);
    span.textContent = span.dataset.agoFormat === 'duration' ? duration(age) : ago(age);
  }
}

function tick() {
  if (auth.view !== 'dashboard') {
    return;
  }
  if (connection.open && Date.now() - connection.lastMessageAt > SILENCE_LIMIT_MS) {
    reconnectLater();
    render();
  }
  renderTimes();
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function byId(id) {
  return document.getElementById(id);
}

/** An element with attributes and children; strings become text nodes, never markup. */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === '') {
      continue;
    }
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function labelTexts(labels) {
  return Object.entries(labels || {}).map(([k, v]) => `${k}=${v}`);
}

function labelChips(labels) {
  const texts = labelTexts(labels);
  return texts.length === 0 ? el('span', { class: 'muted' }, '—') : el('span', { class: 'chips' }, ...texts.map((t) => el('span', { class: 'chip' }, t)));
}

function clockTime(iso) {
  const t = Date.parse(iso);
  if (!Number.isFinite(t) || t <= 0) {
    return 'the start';
  }
  return new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function ago(ms) {
  return ms < 1000 ? 'just now' : `${duration(ms)} ago`;
}

// ---------------------------------------------------------------------------------------------

restoreFilters();
readFilters();
// 'change' as well as 'input': a <select> changed by a click or a keyboard does not fire 'input'
// in every browser (nor under WebDriver), and the kind filter is a <select>.
for (const id of ['filter-kind', 'filter-label', 'filter-text']) {
  for (const type of ['input', 'change']) {
    byId(id).addEventListener(type, () => {
      readFilters();
      render();
    });
  }
}
byId('filters').addEventListener('submit', (e) => e.preventDefault());
byId('logout').addEventListener('click', logOut);
setInterval(tick, 1000);
boot();
render();
