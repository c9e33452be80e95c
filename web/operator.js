// The operator's view: health, the payment breaker, subscriber lag, open
// WebSockets and throughput over the last minutes, drawn as charts (uPlot,
// from the npm registry: web/vendor/); store approval; webhooks and their
// delivery log.

import { el, put, hhmm, api, attempt, toast } from "./app.js";

/** uPlot's script and style (a global `uPlot`), loaded for this view only. */
function loadUPlot() {
  document.head.append(Object.assign(document.createElement("link"), { rel: "stylesheet", href: "/console/vendor/uPlot.min.css" }));
  return new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement("script"), { src: "/console/vendor/uPlot.iife.min.js" });
    script.onload = () => resolve(window.uPlot);
    script.onerror = reject;
    document.head.append(script);
  });
}

/** Seconds between samples, and how many are kept (5 minutes). */
const EVERY_S = 2;
const KEEP = 150;

/** Sums the samples of a Prometheus counter or gauge, optionally only
 *  those whose labels contain `labels`. */
function metric(text, name, labels = "") {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== " " && rest[0] !== "{") continue;
    if (labels && !rest.includes(labels)) continue;
    sum += Number(line.trim().split(/\s+/).pop()) || 0;
  }
  return sum;
}

function chart(uPlot, title, series, node) {
  const width = Math.max(280, node.clientWidth || 420);
  return new uPlot({
    title, width, height: 170,
    scales: { x: { time: true } },
    // Seoul's clock on the time axis, whatever the browser's zone.
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), "Asia/Seoul"),
    axes: [{ stroke: "#666" }, { stroke: "#666", size: 50 }],
    series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 2 }))],
  }, [[], ...series.map(() => [])], node);
}

export async function operatorView(root, me) {
  const health = el("div.card.health", { id: "health" });
  const charts = el("div.charts");
  const stores = el("div.card", { id: "approvals" });
  const hooks = el("div.card", { id: "webhooks" });
  put(root, el("h1", {}, "운영"), health, charts, el("div.columns", {}, stores, hooks));

  const places = [0, 1, 2].map(() => el("div.chart"));
  put(charts, ...places);
  const uPlot = await loadUPlot();
  const plots = [
    chart(uPlot, "처리량 (초당)", [["요청", "#2563eb"], ["주문", "#16a34a"]], places[0]),
    chart(uPlot, "구독자 지연 (이벤트)", [["최대", "#dc2626"], ["합계", "#f59e0b"]], places[1]),
    chart(uPlot, "열린 WebSocket", [["연결", "#7c3aed"]], places[2]),
  ];
  const data = [[[], [], []], [[], [], []], [[], []]];
  let last = null;

  async function sample() {
    const [h, text] = await Promise.all([
      api("GET", "/health").catch((e) => e.problem || null),
      api("GET", "/metrics", undefined, { text: true }),
    ]);
    const now = Date.now() / 1000;
    const counts = {
      requests: metric(text, "baedal_http_requests_total"),
      orders: metric(text, "baedal_checkouts_total", 'outcome="placed"'),
    };
    const lags = Object.values(h?.subscriberLag || {});
    const points = [
      last ? [(counts.requests - last.requests) / (now - last.at), (counts.orders - last.orders) / (now - last.at)] : [0, 0],
      [Math.max(0, ...lags), lags.reduce((a, b) => a + b, 0)],
      [metric(text, "baedal_websockets_open")],
    ];
    last = { ...counts, at: now };
    points.forEach((values, i) => {
      data[i][0].push(now);
      values.forEach((v, j) => data[i][j + 1].push(v));
      if (data[i][0].length > KEEP) data[i].forEach((s) => s.shift());
      plots[i].setData(data[i]);
    });
    charts.dataset.samples = data[0][0].length;
    showHealth(h);
  }

  function showHealth(h) {
    if (!h) return;
    const breaker = h.circuitBreaker || {};
    put(health, 
      el("div.row", {},
        el("span.badge", { id: "health-status", dataset: { status: h.status } }, h.status === "ok" ? "정상" : h.status),
        el("span", {}, `저장소 ${h.storage?.writable ? "쓰기 가능" : "쓰기 불가"}`),
        el("span.badge", { id: "breaker", dataset: { status: breaker.state } }, `결제 차단기 ${breaker.state} (열린 횟수 ${breaker.timesOpened ?? 0})`),
        el("span", {}, `결제 대기 ${h.pendingPayments ?? 0}`),
        el("span", {}, `로그 ${h.logSequence ?? 0}`)),
      el("p.muted", {}, `구독자 지연: ${Object.entries(h.subscriberLag || {}).map(([k, v]) => `${k} ${v}`).join(" · ")}`));
  }

  async function showStores() {
    const list = await api("GET", "/stores?limit=500");
    const waiting = list.filter((s) => s.awaitingApproval);
    put(stores, el("h2", {}, "가게 승인"),
      waiting.length ? el("ul", {}, waiting.map((s) => el("li", { dataset: { store: s.id } }, `${s.name} (${s.id}) `,
        el("button.primary", { onclick: async () => {
          if (await attempt(() => api("POST", `/stores/${encodeURIComponent(s.id)}/approve`), `${s.name} 승인`)) showStores();
        } }, "승인")))) : el("p.muted", {}, `승인 기다리는 가게 없음 (영업 가게 ${list.length}곳)`));
  }

  async function showHooks(open) {
    const list = await api("GET", "/webhooks");
    const url = el("input", { name: "url", placeholder: "https://pos.example.com/hooks" });
    const log = el("div.log");
    put(hooks, el("h2", {}, "웹훅"),
      el("form.row", { onsubmit: async (e) => {
        e.preventDefault();
        const made = await attempt(() => api("POST", "/webhooks", { url: url.value }));
        if (made) { toast(`등록했습니다. 비밀키(한 번만 보입니다): ${made.secret}`); showHooks(made.id); }
      } }, url, el("button", { type: "submit" }, "등록")),
      list.length ? el("ul", {}, list.map((w) => el("li", {}, el("a", { href: "#", onclick: (e) => { e.preventDefault(); attemptsOf(w.id, log); } }, `#${w.id} ${w.url}`),
        " ", el("small.muted", {}, (w.types || []).join(", ") || "모든 이벤트")))) : el("p.muted", {}, "등록된 웹훅 없음"),
      log);
    if (open) attemptsOf(open, log);
  }

  async function attemptsOf(id, log) {
    const attempts = await api("GET", `/webhooks/${id}/attempts?limit=20`);
    put(log, el("h3", {}, `#${id} 전송 기록`), attempts.length ? el("table", {},
      el("tr", {}, el("th", {}, "시각"), el("th", {}, "이벤트"), el("th", {}, "결과"), el("th", {})),
      attempts.map((a) => el("tr", {}, el("td", {}, hhmm(a.at)), el("td", {}, a.eventType),
        el("td", {}, a.status ? `${a.status}` : a.error || a.outcome),
        el("td", {}, el("button.link", { onclick: async () => {
          if (await attempt(() => api("POST", `/webhooks/${id}/attempts/${a.id}/redeliver`), "다시 보냅니다")) attemptsOf(id, log);
        } }, "재전송"))))) : el("p.muted", {}, "아직 전송 기록이 없습니다"));
  }

  await Promise.all([sample(), showStores(), showHooks()]);
  setInterval(sample, EVERY_S * 1000);
  toast(`${me.name}님, 운영 화면입니다`);
}
