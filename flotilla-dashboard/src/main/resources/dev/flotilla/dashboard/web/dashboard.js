// The dashboard page: one snapshot of the fleet per server-sent event ("state", about once a second and at
// once on a registry change), the live log of one process, and the waterfall of one trace.
// Plain JavaScript with no build step: the page is small, and the jar then needs nothing at build time.
"use strict";

const $ = (selector) => document.querySelector(selector);
let state = null;
let openTrace = null;
let logSource = null;

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "onclick") node.addEventListener("click", value);
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function ms(value) {
  if (value === null || value === undefined) return "–";
  return value < 10 ? value.toFixed(1) + " ms" : Math.round(value) + " ms";
}
function duration(us) {
  if (us < 1000) return us + " µs";
  if (us < 1e6) return (us / 1000).toFixed(us < 1e4 ? 1 : 0) + " ms";
  return (us / 1e6).toFixed(2) + " s";
}
function bytes(n) {
  if (!n) return "–";
  return n > 1 << 30 ? (n / (1 << 30)).toFixed(1) + " GB" : Math.round(n / (1 << 20)) + " MB";
}
function uptime(msValue) {
  const s = Math.floor(msValue / 1000);
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + " m " + (s % 60) + " s";
  return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " m";
}
function ago(us) {
  const s = Math.max(0, Math.round((Date.now() * 1000 - us) / 1e6));
  return s < 60 ? s + " s ago" : Math.floor(s / 60) + " m ago";
}
function fill(tbody, rows, empty, columns) {
  tbody.replaceChildren(...(rows.length ? rows
      : [el("tr", {}, el("td", { class: "empty", colSpan: columns }, empty))]));
}

async function act(method, url) {
  const token = sessionStorage.getItem("flotilla-token") || prompt("The control plane's token:");
  if (!token) return;
  const response = await fetch(url, { method, headers: { Authorization: "Bearer " + token } });
  if (response.ok) sessionStorage.setItem("flotilla-token", token);
  else alert((await response.json()).message || response.status);
}

function renderSummary() {
  const instances = state.services.flatMap((s) => s.instances);
  const up = instances.filter((i) => i.status === "UP").length;
  const firing = state.alerts.filter((a) => a.state === "firing").length;
  const rps = state.routes.reduce((sum, r) => sum + (r.rps || 0), 0);
  $("#summary").replaceChildren(
    el("span", {}, el("b", {}, state.services.length), " services"),
    el("span", {}, el("b", {}, up + "/" + instances.length), " instances UP"),
    el("span", {}, el("b", {}, rps.toFixed(1)), " req/s"),
    el("span", { class: firing ? "bad" : "" }, el("b", {}, firing), " alerts firing"));
}

function renderAlerts() {
  const active = state.alerts.filter((a) => a.state !== "inactive");
  $("#alerts").replaceChildren(...active.map((a) => el("div",
      { class: "alert " + a.state + " " + a.severity, "data-alert": a.alert, "data-state": a.state },
      el("span", { class: "name" }, a.alert),
      el("span", { class: "what" }, a.summary + (a.value ? " — now " + a.value : "")),
      el("span", { class: "pill" }, a.state + " since " + new Date(a.since).toLocaleTimeString()))));
  fill($("#rules tbody"), state.alerts.map((a) => el("tr", { "data-alert": a.alert },
      el("td", {}, a.alert), el("td", { class: a.state === "firing" ? "bad" : "" }, a.state),
      el("td", {}, a.severity), el("td", { title: a.summary }, a.summary), el("td", {}, a.value || ""),
      el("td", {}, a.since ? new Date(a.since).toLocaleTimeString() : ""))), "no rules in flotilla.yaml (alerts:)", 6);
}

function renderServices() {
  const cards = state.services.map((service) => {
    const up = service.instances.filter((i) => i.status === "UP").length;
    return el("div", { class: "service", "data-service": service.name },
      el("h3", {}, service.name, el("span", { class: "count" }, up + "/" + service.instances.length + " UP")),
      service.instances.map((i) => el("div",
          { class: "instance", "data-instance": i.id, "data-status": i.status, title: i.reason || "" },
          el("span", { class: "dot" }), el("span", { class: "id mono" }, i.id),
          el("span", { class: "ver" }, i.version),
          el("span", { class: "status " + i.status }, i.status),
          state.actions && i.status === "UP"
            ? el("button", { onclick: () => act("POST", "/api/instances/" + encodeURIComponent(i.id) + "/drain") },
                "drain") : null)));
  });
  $("#services").replaceChildren(...(cards.length ? cards : [el("div", { class: "empty" }, "no service registered")]));
}

function renderRoutes() {
  fill($("#routes tbody"), state.routes.map((r) => {
    const ejected = (r.instances || []).filter((i) => i.state === "ejected").length;
    return el("tr", { "data-route": r.id },
      el("td", {}, r.id), el("td", { class: "mono" }, r.path), el("td", {}, r.service),
      el("td", { class: "num" }, r.rps === undefined ? "–" : r.rps.toFixed(1)),
      el("td", { class: "num" + (r.errorRate > 0.01 ? " bad" : "") },
          r.errorRate === undefined ? "–" : (r.errorRate * 100).toFixed(1) + "%"),
      el("td", { class: "num" }, ms(r.p50Ms)), el("td", { class: "num" }, ms(r.p99Ms)),
      el("td", {}, r.breaker ? el("span", { class: "pill " + r.breaker }, r.breaker) : "–"),
      el("td", {}, (r.instances || []).length + " serving" , ejected
          ? el("span", { class: "pill ejected" }, ejected + " ejected") : null));
  }), "no routes", 9);
}

function renderProcesses() {
  const selected = $("#log-app").dataset.app;
  fill($("#processes tbody"), state.processes.map((p) => el("tr",
      { class: "clickable" + (p.app === selected ? " selected" : ""), "data-process": p.app + "#" + p.slot,
        "data-state": p.state, onclick: () => followLog(p.app) },
      el("td", { class: "mono" }, p.app + "#" + p.slot),
      el("td", { class: "state-" + p.state }, p.state),
      el("td", { class: "num" }, p.pid || "–"),
      el("td", { class: "num" }, p.pid ? p.cpuPercent.toFixed(1) + "%" : "–"),
      el("td", { class: "num" }, bytes(p.rssBytes)),
      el("td", { class: "num" + (p.restarts ? " bad" : "") }, p.restarts),
      el("td", { class: "num" }, p.pid ? uptime(p.uptimeMs) : "–"),
      el("td", {}, state.actions && p.slot === 0
          ? el("button", { onclick: (e) => { e.stopPropagation(); act("POST", "/api/apps/" + p.app + "/reload"); } },
              "reload") : null))), "no supervised processes", 8);
}

function renderTraces() {
  fill($("#traces tbody"), state.traces.map((t) => el("tr",
      { class: "clickable" + (t.traceId === openTrace ? " selected" : ""), "data-trace": t.traceId,
        onclick: () => showTrace(t.traceId) },
      el("td", { class: t.error ? "bad" : "" }, t.name || "(unnamed)"),
      el("td", {}, t.services.join(" → ")),
      el("td", { class: "num" }, t.spans),
      el("td", { class: "num" }, duration(t.durationUs)),
      el("td", { class: "num" }, ago(t.startUs)))), "no traces yet: send a request through the gateway", 5);
}

function render() {
  renderSummary();
  renderAlerts();
  renderServices();
  renderRoutes();
  renderProcesses();
  renderTraces();
}

function followLog(app) {
  if (logSource) logSource.close();
  const log = $("#log");
  log.replaceChildren();
  $("#log-app").textContent = app;
  $("#log-app").dataset.app = app;
  logSource = new EventSource("/api/logs/" + encodeURIComponent(app));
  logSource.addEventListener("line", (event) => {
    const line = JSON.parse(event.data).line;
    const node = el("div", { class: "line" });
    const level = /"level":"(\w+)"|\s(WARN|ERROR)\s/.exec(line);
    if (level) node.classList.add("lvl-" + (level[1] || level[2]));
    const trace = /"trace_id":"([0-9a-f]{32})"/.exec(line);
    node.append(line);
    if (trace) {
      node.append(" ", el("span", { class: "trace", title: "open this trace", onclick: () => showTrace(trace[1]) },
          "↗ trace"));
    }
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(node);
    while (log.childNodes.length > 1000) log.firstChild.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  });
  if (state) renderProcesses();
}

async function showTrace(traceId) {
  openTrace = traceId;
  $("#trace-id").textContent = traceId;
  const response = await fetch("/api/traces/" + traceId);
  const waterfall = $("#waterfall");
  $("#span-detail").replaceChildren();
  if (!response.ok) {
    waterfall.replaceChildren(el("div", { class: "empty" }, (await response.json()).message));
    return;
  }
  const spans = (await response.json()).spans;
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const children = new Map();
  const roots = [];
  for (const span of spans) {
    if (span.parentSpanId && byId.has(span.parentSpanId)) {
      if (!children.has(span.parentSpanId)) children.set(span.parentSpanId, []);
      children.get(span.parentSpanId).push(span);
    } else {
      roots.push(span);
    }
  }
  const start = Math.min(...spans.map((s) => s.startUs));
  const end = Math.max(...spans.map((s) => s.startUs + s.durationUs));
  const total = Math.max(1, end - start);
  const rows = [];
  const walk = (span, depth) => {
    const left = ((span.startUs - start) / total) * 85;
    const width = Math.max(0.3, (span.durationUs / total) * 85);
    const failed = span.status === "ERROR" || Number(span.attributes["http.response.status_code"]) >= 500;
    const bar = el("div", { class: "span-bar " + span.kind + (failed ? " ERROR" : ""),
        style: "" }, el("span", { class: "ms" }, duration(span.durationUs)));
    bar.style.left = left + "%";
    bar.style.width = width + "%";
    const track = el("div", { class: "span-track" }, bar);
    for (const event of span.events || []) {
      const mark = el("div", { class: "span-event", title: event.name + " " + JSON.stringify(event.attributes) });
      mark.style.left = ((event.timeUs - start) / total) * 85 + "%";
      track.append(mark);
    }
    const row = el("div", { class: "span-row", "data-span": span.spanId, "data-kind": span.kind,
        "data-service": span.service, onclick: () => showSpan(span, row) },
      el("div", { class: "span-name" }, el("span", {}, "\u00a0".repeat(depth * 3)),
          el("span", { class: "svc" }, span.service), span.name, el("span", { class: "kind" }, span.kind)),
      track);
    rows.push(row);
    for (const child of (children.get(span.spanId) || []).sort((a, b) => a.startUs - b.startUs)) {
      walk(child, depth + 1);
    }
  };
  roots.sort((a, b) => a.startUs - b.startUs).forEach((root) => walk(root, 0));
  waterfall.replaceChildren(...rows);
  if (state) renderTraces();
}

function showSpan(span, row) {
  document.querySelectorAll(".span-row.selected").forEach((r) => r.classList.remove("selected"));
  row.classList.add("selected");
  const entries = Object.entries(span.attributes).map(([k, v]) => el("tr", {}, el("td", { class: "mono" }, k),
      el("td", { class: "mono" }, v)));
  for (const event of span.events || []) {
    entries.push(el("tr", {}, el("td", { class: "mono" }, "event: " + event.name),
        el("td", { class: "mono" }, JSON.stringify(event.attributes))));
  }
  $("#span-detail").replaceChildren(el("div", {}, span.service + " · " + span.instance + " · " + span.kind + " · "
      + span.status + (span.statusMessage ? " (" + span.statusMessage + ")" : "")), el("table", {}, entries));
}

function connect() {
  const source = new EventSource("/api/events");
  source.addEventListener("state", (event) => {
    state = JSON.parse(event.data);
    $("#live").dataset.state = "live";
    $("#live").textContent = "live";
    render();
  });
  source.onerror = () => {
    $("#live").dataset.state = "down";
    $("#live").textContent = "reconnecting…";
  };
}

connect();
