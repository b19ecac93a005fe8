// The Gatehouse dashboard (docs/dashboard.md). No framework, no build step.
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

const model = {
  resources: [],
  agents: [],
  /** short id (12 hex digits of the session key, never the cookie) → session, as /v1/sessions shows it */
  sessions: new Map(),
  audit: [],
  auditTotal: 0,
  status: null,
  loaded: false,
};

const connection = {
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
// Loading

async function getJson(path, okStatuses = [200]) {
  const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!okStatuses.includes(response.status)) {
    throw new Error(`${path}: HTTP ${response.status}`);
  }
  return response.json();
}

/** Everything, after the event stream (re)opened; events that arrive meanwhile wait in a queue. */
async function loadAll() {
  if (connection.loading) {
    return;
  }
  connection.loading = true;
  try {
    const [resources, agents, sessions, ready] = await Promise.all([
      getJson('/v1/resources'),
      getJson('/v1/agents'),
      getJson('/v1/sessions'),
      getJson('/readyz', [200, 503]),
    ]);
    setResources(resources);
    setAgents(agents);
    model.sessions = new Map(sessions.map((s) => [s.session, s]));
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
    connection.loading = false;
    if (connection.open) {
      setTimeout(loadAll, LOAD_RETRY_MS);
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
  refetch.inFlight = true;
  try {
    const [resources, agents] = await Promise.all([getJson('/v1/resources'), getJson('/v1/agents')]);
    setResources(resources);
    setAgents(agents);
    render();
  } catch (e) {
    // The stream reports a lost proxy; when it reopens, everything is loaded again.
  } finally {
    refetch.inFlight = false;
    if (refetch.again) {
      refetch.again = false;
      scheduleRefetch();
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
    connection.open = false;
    connection.failed = true;
    // EventSource retries on its own while CONNECTING; once CLOSED it has given up.
    if (source.readyState === EventSource.CLOSED) {
      reconnectLater();
    }
    render();
  };
  source.addEventListener('status', (e) => onMessage('status', e));
  for (const topic of ['resources', 'heartbeats', 'tunnels', 'sessions', 'audit']) {
    source.addEventListener(topic, (e) => onMessage(topic, e));
  }
}

function reconnectLater() {
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
}

function renderSummary() {
  const healthy = model.agents.filter((a) => a.healthy).length;
  byId('sum-resources').textContent = String(model.resources.length);
  byId('sum-agents').textContent = `${healthy}/${model.agents.length}`;
  byId('sum-sessions').textContent = String(model.sessions.size);
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
  return el('span', {
    class: `agent-chip${a.healthy ? '' : ' down'}`,
    'data-testid': 'resource-agent',
    'data-agent': a.agent,
    title: `${a.agent} at ${a.address}: ${a.healthy ? 'healthy' : 'not taking new sessions'} (${a.origin})`,
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
      el('td', { 'data-label': 'Sessions', class: 'num' }, String(sessionsBy.get(a.agent) || 0)));
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
  byId(`${view}-body`).replaceChildren(...rows.map(row));
  byId(`count-${view}`).textContent = rows.length === total ? String(total) : `${rows.length} of ${total}`;
  const empty = byId(`${view}-empty`);
  empty.hidden = rows.length > 0 || !model.loaded;
  empty.textContent = total === 0 ? emptyText : 'Nothing matches the filters.';
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
setInterval(tick, 1000);
connect();
render();
