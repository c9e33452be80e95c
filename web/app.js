// baedal console: sign-in, the API client, the live socket, and the view
// for the signed-in role (customer.js, store.js, rider.js, operator.js),
// loaded once the role is known: a rider never downloads the operator's.
// Plain ES modules served by the binary itself: no build step, nothing
// fetched from elsewhere at run time.

// ---- small DOM helpers ---------------------------------------------------

/** el("button.primary", {onclick}, "text", child…): an element. */
export function el(spec, props = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const node = document.createElement(tag || "div");
  if (classes.length) node.className = classes.join(" ");
  for (const [k, v] of Object.entries(props || {})) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (v === true) node.setAttribute(k, "");
    else if (v !== false && v != null) node.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c == null || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

/** Replaces `node`'s children with these (nested arrays flattened,
 *  null and false left out, text as text). */
export function put(node, ...children) {
  node.replaceChildren(...children.flat(Infinity).filter((c) => c != null && c !== false));
}

/** 12,345원 */
export const won = (n) => `${Number(n || 0).toLocaleString("ko-KR")}원`;

const seoul = new Intl.DateTimeFormat("ko-KR", {
  timeZone: "Asia/Seoul", hour: "2-digit", minute: "2-digit", hour12: false,
});
/** An RFC 3339 time as Seoul's wall clock (HH:MM), whatever the browser's zone. */
export const hhmm = (t) => (t ? seoul.format(new Date(t)) : "—");

/** The words the API uses for an order's states, in Korean. */
export const STATUS = {
  Placed: "주문 접수", Accepted: "주문 수락", Cooking: "조리 중", Cooked: "조리 완료",
  PickedUp: "배달 중", Delivered: "배달 완료", Completed: "배송 확인",
  Canceled: "주문 취소", Rejected: "주문 거절",
};

/** Shows a message in the page's toast line (errors in red). */
export function toast(text, bad = false) {
  const t = document.getElementById("toast");
  t.textContent = text;
  t.className = bad ? "toast bad" : "toast";
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (t.className = "toast hidden"), 4000);
}

// ---- the API -------------------------------------------------------------

const store = window.sessionStorage;

/** The API error, with the problem+json detail as message. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** Calls the API as the signed-in account (`text`: answers the body as
 *  text, for `/metrics`); refreshes an expired token once. */
export async function api(method, path, body, { text = false, retried = false } = {}) {
  const headers = { Accept: text ? "text/plain" : "application/json" };
  const token = store.getItem("accessToken");
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && !retried && store.getItem("refreshToken")) {
    if (await refresh(token)) return api(method, path, body, { text, retried: true });
  }
  const raw = await res.text();
  if (res.ok && text) return raw;
  const data = raw ? JSON.parse(raw) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

let refreshing = null;

/** Trades the refresh token for new ones, once for every caller that found
 *  `stale` expired: the server ends a session whose refresh token comes
 *  back twice. If the session is over, back to the sign-in. */
export function refresh(stale = store.getItem("accessToken")) {
  if (store.getItem("accessToken") !== stale) return Promise.resolve(true);
  refreshing ??= (async () => {
    try {
      const res = await fetch("/auth/refresh", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refreshToken: store.getItem("refreshToken") }),
      });
      if (!res.ok) {
        store.clear();
        location.reload();
        return false;
      }
      keepTokens(await res.json());
      return true;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function keepTokens(t) {
  store.setItem("accessToken", t.accessToken);
  store.setItem("refreshToken", t.refreshToken);
}

/** Runs an action, showing its refusal (the API's own words) if any. */
export async function attempt(action, done) {
  try {
    const result = await action();
    if (done) toast(done);
    return result;
  } catch (e) {
    toast(e.message, true);
    return undefined;
  }
}

// ---- the live socket -----------------------------------------------------

/** Opens the caller's WebSocket (`/ws`, with `query` such as
 *  `&storeId=…`), calling `onMessage` with each JSON message. After a drop
 *  it reopens, waiting longer each time (1 s to 30 s), from the last
 *  notification seen (`since`), so none is missed; `onReopen` lets the view
 *  look again. Answers a function that closes it for good. */
export function live(onMessage, query = "", onReopen = () => {}) {
  let socket, closed = false, wait = 1000, since = null, timer = null;
  const open = () => {
    timer = null;
    if (closed) return;
    const proto = location.protocol === "https:" ? "wss" : "ws";
    const token = encodeURIComponent(store.getItem("accessToken") || "");
    const from = since == null ? "" : `&since=${since}`;
    socket = new WebSocket(`${proto}://${location.host}/ws?access_token=${token}${query}${from}`);
    socket.onmessage = (m) => {
      let message;
      try { message = JSON.parse(m.data); } catch (_) { return; }
      if (typeof message.id === "number") since = message.id;
      if (typeof message.resumeSince === "number") since = message.resumeSince;
      onMessage(message);
    };
    socket.onopen = () => {
      document.body.dataset.live = "on";
      if (wait > 1000) onReopen();
      wait = 1000;
    };
    socket.onclose = () => {
      document.body.dataset.live = "off";
      if (closed) return;
      timer = setTimeout(async () => { await refresh(); open(); }, wait);
      wait = Math.min(wait * 2, 30000);
    };
  };
  open();
  return () => { closed = true; clearTimeout(timer); socket.close(); };
}

// ---- sign-in and the role's view -----------------------------------------

function signIn(root) {
  const id = el("input", { name: "id", placeholder: "아이디", autocomplete: "username" });
  const password = el("input", { name: "password", type: "password", placeholder: "비밀번호", autocomplete: "current-password" });
  const form = el("form.card.login", {
    onsubmit: async (e) => {
      e.preventDefault();
      const tokens = await attempt(() => api("POST", "/auth/login", { id: id.value, password: password.value }));
      if (tokens) { keepTokens(tokens); start(); }
    },
  },
  el("h1", {}, "배달 콘솔"),
  el("p.muted", {}, "고객, 가게 사장님, 라이더, 운영자 계정으로 로그인하세요."),
  id, password, el("button.primary", { type: "submit" }, "로그인"));
  put(root, form);
  id.focus();
}

const VIEWS = {
  Customer: async () => (await import("./customer.js")).customerView,
  Owner: async () => (await import("./store.js")).storeView,
  Rider: async () => (await import("./rider.js")).riderView,
  Operator: async () => (await import("./operator.js")).operatorView,
};
const ROLE_NAMES = { Customer: "고객", Owner: "가게", Rider: "라이더", Operator: "운영자" };

async function start() {
  const root = document.getElementById("app");
  if (!store.getItem("accessToken")) return signIn(root);
  let me;
  try {
    me = await api("GET", "/auth/me");
  } catch (_) {
    store.clear();
    return signIn(root);
  }
  const header = document.getElementById("who");
  put(header, 
    el("span.role", {}, ROLE_NAMES[me.role] || me.role), ` ${me.name} (${me.id}) `,
    el("button.link", { onclick: logout }, "로그아웃"));
  document.body.dataset.role = me.role;
  const view = await VIEWS[me.role]();
  await view(root, me);
  // When the role's view was drawn, in ms since the page was asked for.
  document.body.dataset.ready = Math.round(performance.now());
}

async function logout() {
  await attempt(() => api("POST", "/auth/logout"));
  store.clear();
  location.reload();
}

start();
