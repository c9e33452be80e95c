// The store owner's view: incoming orders live, with a sound and a visible
// alert; accept with cooking minutes, reject with a reason, start, finish,
// delay; the menu with sold-out toggles; pause and hours; the rating.

import { el, put, won, hhmm, api, attempt, live, toast } from "./app.js";

const TICKET = {
  Requested: "새 주문", Accepted: "수락함", Cooking: "조리 중", Cooked: "조리 완료",
  HandedOver: "라이더 픽업", Rejected: "거절함", Canceled: "취소됨",
};
const REJECT = { SOLD_OUT: "재료 소진", TOO_BUSY: "주문 폭주", CLOSING_SOON: "곧 마감", OUT_OF_DELIVERY_AREA: "배달 불가 지역", OTHER: "기타" };
const DAYS = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
const DAY_NAMES = { MON: "월", TUE: "화", WED: "수", THU: "목", FRI: "금", SAT: "토", SUN: "일" };

/** A short two-tone chime, made with WebAudio (no sound file to ship). */
function ring() {
  try {
    const audio = new AudioContext();
    [880, 660].forEach((hz, i) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = hz;
      gain.gain.setValueAtTime(0.2, audio.currentTime + i * 0.25);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.25 + 0.24);
      tone.connect(gain).connect(audio.destination);
      tone.start(audio.currentTime + i * 0.25);
      tone.stop(audio.currentTime + i * 0.25 + 0.25);
    });
  } catch (_) { /* no audio device: the visible alert remains */ }
}

export async function storeView(root, me) {
  const stores = me.stores || [];
  if (!stores.length) {
    put(root, el("p.card", {}, "아직 가게가 없습니다. 운영자에게 가게 등록과 승인을 요청하세요."));
    return;
  }
  let storeId = stores[0];
  const alert = el("div.alert.hidden", { id: "new-order-alert", role: "alert" });
  const tickets = el("section.main");
  const side = el("aside.side");
  const picker = stores.length > 1
    ? el("select", { onchange: (e) => { storeId = e.target.value; known.clear(); listen(); refresh(); } }, stores.map((s) => el("option", { value: s }, s)))
    : null;
  put(root, alert, picker, el("div.columns", {}, tickets, side));

  // The store's notifications (an owner of several names which store).
  let stop = () => {};
  const listen = () => {
    stop();
    stop = live(heard, `&storeId=${encodeURIComponent(storeId)}`, showTickets);
  };
  function heard(m) {
    if (m.status === "Placed") {
      put(alert, `딩동! 새 주문 #${m.orderId}이 들어왔습니다! `,
        el("button", { onclick: () => alert.classList.add("hidden") }, "확인"));
      alert.classList.remove("hidden");
      ring();
    }
    if (m.orderId) showTickets();
  }
  listen();
  // A rider's pick is not the store's notification: look again now and then.
  setInterval(showTickets, 5000);

  // The tickets as last seen, by order id. The list is a view that may
  // trail an answer just received, so an older copy never replaces a newer.
  const known = new Map();
  const newer = (t) => !known.has(t.orderId) || t.updatedAt >= known.get(t.orderId).updatedAt;

  async function showTickets() {
    const fetched = await api("GET", `/foodCookings?storeId=${encodeURIComponent(storeId)}&limit=50`);
    for (const t of fetched) if (newer(t)) known.set(t.orderId, t);
    render();
  }

  let shown = "";
  function render() {
    const list = [...known.values()].filter((t) => t.storeId === storeId).sort((a, b) => b.orderId - a.orderId);
    // Unchanged: keep the page as it is (and what is being typed in it).
    const now = JSON.stringify(list);
    if (now === shown) return;
    shown = now;
    const open = list.filter((t) => !["HandedOver", "Rejected", "Canceled"].includes(t.status));
    const done = list.filter((t) => !open.includes(t));
    put(tickets, 
      el("h1", {}, "주문 (조리)"),
      open.length ? open.map(ticket) : el("p.muted", {}, "들어온 주문이 없습니다"),
      done.length ? el("details", {}, el("summary", {}, `지난 주문 ${done.length}건`), done.map(ticket)) : null);
  }

  function ticket(t) {
    const id = t.orderId;
    const minutes = el("input.qty", { type: "number", min: 5, max: 120, value: 20, name: "cookingMinutes" });
    const act = (path, body, done) => async () => {
      const changed = await attempt(() => api("POST", `/foodCookings/${id}/${path}`, body), done);
      if (changed && newer(changed)) { known.set(changed.orderId, changed); render(); }
    };
    const reason = el("select", { name: "reason" }, Object.entries(REJECT).map(([code, name]) => el("option", { value: code }, name)));
    const buttons = {
      Requested: [minutes, "분 ", el("button.primary", { dataset: { action: "accept" }, onclick: () => act("accept", { cookingMinutes: Number(minutes.value) }, "주문을 수락했습니다")() }, "수락"),
        reason, el("button.danger", { dataset: { action: "reject" }, onclick: () => act("reject", { reason: reason.value }, "주문을 거절했습니다")() }, "거절")],
      Accepted: [el("button.primary", { dataset: { action: "start" }, onclick: act("start", undefined, "조리를 시작했습니다") }, "조리 시작"),
        el("button", { dataset: { action: "delay" }, onclick: act("delay", { minutes: 10 }, "10분 늦춘다고 알렸습니다") }, "10분 지연")],
      Cooking: [el("button.primary", { dataset: { action: "finish" }, onclick: act("finish", undefined, "조리를 마쳤습니다") }, "조리 완료"),
        el("button", { dataset: { action: "delay" }, onclick: act("delay", { minutes: 10 }, "10분 늦춘다고 알렸습니다") }, "10분 지연")],
    }[t.status] || [];
    return el("div.card.ticket", { dataset: { order: id, status: t.status } },
      el("div.row", {}, el("strong", {}, `#${id}`), el("span.badge", { dataset: { status: t.status } }, TICKET[t.status] || t.status),
        t.acceptBy && t.status === "Requested" ? el("small.muted", {}, `${hhmm(t.acceptBy)}까지 수락`) : null,
        t.readyBy ? el("small.muted", {}, `완료 예정 ${hhmm(t.readyBy)}`) : null),
      el("ul", {}, t.items.map((l) => el("li", {}, `${l.name} × ${l.qty}`,
        l.options?.length ? el("small.muted", {}, ` (${l.options.map((o) => o.name).join(", ")})`) : null))),
      t.note ? el("p.note", {}, `요청사항: ${t.note}`) : null,
      el("div.row", {}, buttons));
  }

  async function showSide() {
    const [s, rating] = await Promise.all([
      api("GET", `/stores/${encodeURIComponent(storeId)}`),
      api("GET", `/stores/${encodeURIComponent(storeId)}/rating`).catch(() => null),
    ]);
    const menu = s.menu.map((item) => el("li", {}, el("label", {},
      el("input", { type: "checkbox", checked: item.soldOut, dataset: { soldOut: item.id }, onchange: async (e) => {
        await attempt(() => api("PUT", `/stores/${encodeURIComponent(storeId)}/menu/${encodeURIComponent(item.id)}/soldOut`, { soldOut: e.target.checked }),
          e.target.checked ? `${item.name} 품절` : `${item.name} 판매 재개`);
      } }), ` 품절 · ${item.name} ${won(item.price)}`)));
    const pausedUntil = s.pausedUntil || s.pause?.until;
    const hours = s.hours?.weekly || [];
    const rows = DAYS.map((d) => {
      const h = hours.find((w) => w.day === d) || {};
      return el("tr", { dataset: { day: d } }, el("td", {}, DAY_NAMES[d]),
        el("td", {}, el("input.time", { name: `${d}-open`, value: h.open || "" })),
        el("td", {}, el("input.time", { name: `${d}-close`, value: h.close || "" })));
    });
    const table = el("table.hours", {}, el("tr", {}, el("th", {}, "요일"), el("th", {}, "오픈"), el("th", {}, "마감")), rows);
    put(side, 
      el("h2", {}, s.name), el("p", {}, s.openNow ? "주문 받는 중" : "주문 안 받는 중"),
      el("div.row", {},
        pausedUntil ? el("span", {}, `${hhmm(pausedUntil)}까지 일시정지 `) : null,
        el("button", { onclick: async () => { await attempt(() => api("PUT", `/stores/${encodeURIComponent(storeId)}/pause`, { minutes: 30 }), "30분 동안 주문을 받지 않습니다"); showSide(); } }, "30분 일시정지"),
        el("button", { onclick: async () => { await attempt(() => api("DELETE", `/stores/${encodeURIComponent(storeId)}/pause`), "주문을 다시 받습니다"); showSide(); } }, "재개")),
      el("h2", {}, "메뉴"), el("ul.menu-admin", {}, menu),
      el("h2", {}, "영업 시간 (서울)"), table,
      el("button", { onclick: async () => {
        const weekly = DAYS.map((d) => ({ day: d, open: side.querySelector(`[name=${d}-open]`).value, close: side.querySelector(`[name=${d}-close]`).value }))
          .filter((w) => w.open && w.close);
        await attempt(() => api("PUT", `/stores/${encodeURIComponent(storeId)}/hours`, { weekly, closedDates: s.hours?.closedDates || [] }), "영업 시간을 저장했습니다");
        showSide();
      } }, "영업 시간 저장"),
      el("h2", {}, "평점과 리뷰"),
      rating ? el("div", {}, el("p.big", {}, `★ ${rating.average.toFixed(1)}`), el("p.muted", {}, `리뷰 ${rating.count}개`),
        el("ol.bars", { reversed: true }, [5, 4, 3, 2, 1].map((n) => el("li", {}, `${n}점 `,
          el("span.bar", { style: `width:${rating.count ? (100 * rating.distribution[n - 1]) / rating.count : 0}%` }),
          ` ${rating.distribution[n - 1]}`)))) : el("p.muted", {}, "아직 리뷰가 없습니다"));
  }

  function refresh() {
    return Promise.all([showTickets(), showSide()]);
  }
  await refresh();
  toast(`${me.name}님, 주문이 들어오면 알려 드립니다`);
}
