// The customer's view: stores, a basket with options, the quote, ordering
// and paying, the order live (timeline, ETA, the rider once picked up),
// cancel, confirm, review; points and coupons.

import { el, put, won, hhmm, STATUS, api, attempt, live, toast } from "./app.js";

const FLOW = ["Placed", "Accepted", "Cooking", "Cooked", "PickedUp", "Delivered", "Completed"];

export async function customerView(root, me) {
  const state = { me, basket: [], store: null, address: "서울 강남구 테헤란로 152", order: null, tracking: null, couponId: "", coupons: [] };
  const main = el("section.main");
  const side = el("aside.side");
  put(root, el("div.columns", {}, main, side));

  const reopened = () => { if (state.order) showOrder(state.order.id); refreshSide(); };
  live((m) => {
    if (m.tracking && state.order && m.tracking.orderId === state.order.id) {
      state.tracking = m.tracking;
      showOrder(state.order.id);
    } else if (m.orderId && state.order && m.orderId === state.order.id) {
      showOrder(m.orderId);
    }
    if (m.orderId) refreshSide();
  }, "", reopened);

  async function refreshSide() {
    const [points, coupons, orders] = await Promise.all([
      api("GET", `/points/${encodeURIComponent(me.id)}`).catch(() => null),
      api("GET", "/coupons").catch(() => []),
      api("GET", "/orders?limit=10").catch(() => []),
    ]);
    state.coupons = coupons;
    put(side, 
      el("h2", {}, "내 포인트"), el("p.big", { id: "points" }, won(points?.balance ?? 0).replace("원", "P")),
      el("h2", {}, "쿠폰"),
      coupons.length ? el("ul", {}, coupons.map((c) => el("li", {}, `${won(c.amount)} 할인 `, el("small.muted", {}, { Issued: "사용 가능", Used: "사용함", Revoked: "회수됨" }[c.status] || c.status)))) : el("p.muted", {}, "쿠폰이 없습니다"),
      el("h2", {}, "주문 내역"),
      el("ul.orders", {}, orders.map((o) => el("li", {},
        el("a", { href: "#", onclick: (e) => { e.preventDefault(); showOrder(o.id); } }, `#${o.id} ${o.storeName}`),
        " ", el("span.badge", { dataset: { status: o.status } }, STATUS[o.status] || o.status)))),
    );
  }

  async function showStores() {
    state.order = null;
    const stores = await api("GET", "/stores?limit=100");
    put(main, 
      el("h1", {}, "가게 고르기"),
      el("div.grid", {}, stores.map((s) => el("button.card.store", {
        dataset: { store: s.id }, onclick: () => showStore(s.id),
      },
      el("strong", {}, s.name),
      el("span", {}, `★ ${s.rating.average.toFixed(1)} (${s.rating.count})`),
      el("span", { class: s.openNow ? "open" : "closed" }, s.openNow ? "영업 중" : `준비 중${s.nextOpenAt ? ` · ${hhmm(s.nextOpenAt)} 오픈` : ""}`),
      el("small.muted", {}, `최소주문 ${won(s.minOrderWon)} · 배달팁 ${won(s.baseFeeWon)}부터 · ${s.radiusKm}km`)))),
    );
  }

  async function showStore(id) {
    const s = await api("GET", `/stores/${encodeURIComponent(id)}`);
    if (state.store?.id !== s.id) state.basket = [];
    state.store = s;
    const menu = el("div.menu", {}, s.menu.map((item) => dish(item)));
    put(main,
      el("button.link", { onclick: showStores }, "← 가게 목록"),
      el("h1", {}, s.name), el("p.muted", {}, s.address),
      el("div.store-page", {}, menu, basketPanel()));
  }

  function dish(item) {
    const picks = new Map(); // group id -> Set of choice ids
    const groups = (item.optionGroups || []).map((g) => {
      picks.set(g.id, new Set());
      const single = g.max === 1;
      return el("fieldset.group", {},
        el("legend", {}, `${g.name} ${g.min > 0 ? "(필수)" : "(선택)"}${g.max > 1 ? ` 최대 ${g.max}개` : ""}`),
        g.choices.map((c) => el("label", {},
          el("input", {
            type: single ? "radio" : "checkbox", name: `${item.id}-${g.id}`, value: c.id,
            dataset: { group: g.id, choice: c.id },
            onchange: (e) => {
              const set = picks.get(g.id);
              if (single) set.clear();
              if (e.target.checked) set.add(c.id); else set.delete(c.id);
            },
          }),
          ` ${c.name}${c.price ? ` +${won(c.price)}` : ""}`)));
    });
    const qty = el("input.qty", { type: "number", min: 1, max: 99, value: 1 });
    return el("div.card.dish", { dataset: { menu: item.id } },
      el("div.row", {}, el("strong", {}, item.name), el("span", {}, won(item.price)),
        item.soldOut ? el("span.badge.closed", {}, "품절") : null),
      groups, el("div.row", {}, qty, el("button", {
        disabled: item.soldOut, dataset: { add: item.id },
        onclick: () => {
          const options = [...picks].flatMap(([group, set]) => [...set].map((choice) => ({ group, choice })));
          const names = (item.optionGroups || []).flatMap((g) => g.choices.filter((c) => picks.get(g.id).has(c.id)).map((c) => c.name));
          state.basket.push({ menuId: item.id, name: item.name, qty: Number(qty.value), options, names });
          showStore(state.store.id);
        },
      }, "담기")));
  }

  function request() {
    return {
      storeId: state.store.id,
      items: state.basket.map(({ menuId, qty, options }) => ({ menuId, qty, options })),
      address: state.address,
      couponId: state.couponId || undefined,
    };
  }

  function basketPanel() {
    const address = el("input", { name: "address", value: state.address, oninput: (e) => (state.address = e.target.value) });
    const quote = el("div.quote", { id: "quote" });
    const usable = state.coupons.filter((c) => c.status === "Issued");
    const coupon = usable.length ? el("label", {}, "쿠폰 ", el("select", { name: "coupon", onchange: (e) => (state.couponId = e.target.value) },
      el("option", { value: "" }, "쓰지 않음"),
      usable.map((c) => el("option", { value: c.id, selected: c.id === state.couponId }, `${won(c.amount)} 할인`)))) : null;
    const lines = state.basket.map((b, i) => el("li", {}, `${b.name} × ${b.qty}`,
      b.names.length ? el("small.muted", {}, ` (${b.names.join(", ")})`) : null,
      " ", el("button.link", { onclick: () => { state.basket.splice(i, 1); showStore(state.store.id); } }, "빼기")));
    const panel = el("div.card.basket", {},
      el("h2", {}, "장바구니"),
      lines.length ? el("ul", {}, lines) : el("p.muted", {}, "메뉴를 담아 주세요"),
      el("label", {}, "배달 주소 ", address),
      coupon,
      el("div.row", {},
        el("button", { id: "quote-button", disabled: !lines.length, onclick: showQuote }, "금액 확인"),
        el("button.primary", { id: "order-button", disabled: !lines.length, onclick: order }, "주문하고 결제하기")),
      quote);
    async function showQuote() {
      const q = await attempt(() => api("POST", "/orders/quote", request()));
      if (!q) return;
      put(quote, el("table", {},
        el("tr", {}, el("td", {}, "음식"), el("td", {}, won(q.subtotal))),
        el("tr", {}, el("td", {}, "할인"), el("td", {}, `-${won(q.discount)}`)),
        el("tr", {}, el("td", {}, `배달팁 (${q.distanceKm}km)`), el("td", {}, won(q.deliveryFee))),
        el("tr.total", {}, el("td", {}, "결제 금액"), el("td", { id: "quote-amount" }, won(q.amount)))));
    }
    return panel;
  }

  async function order() {
    const placed = await attempt(() => api("POST", "/orders", request()), "주문이 접수되었습니다");
    if (!placed) return;
    state.basket = [];
    showOrder(placed.id);
    refreshSide();
  }

  async function showOrder(id) {
    const o = await api("GET", `/orders/${id}`);
    // Answers may come back out of order: never go back to an older one.
    if (state.order?.id === o.id && state.order.history.length > o.history.length) return;
    state.order = o;
    const moving = state.tracking && state.tracking.orderId === o.id && o.status === "PickedUp" ? state.tracking : null;
    const eta = moving?.estimatedDeliveryAt || o.estimatedDeliveryAt;
    const reached = new Map(o.history.map((h) => [h.status, h.at]));
    const timeline = el("ol.timeline", {}, (FLOW.includes(o.status) ? FLOW : [...FLOW.slice(0, 1), o.status]).map((s) =>
      el("li", { class: reached.has(s) ? "done" : "", dataset: { step: s } }, STATUS[s] || s,
        reached.has(s) ? el("small.muted", {}, ` ${hhmm(reached.get(s))}`) : null)));
    const tracking = moving
      ? el("p.tracking", { id: "tracking" }, `라이더 ${moving.riderId}: ${moving.lat.toFixed(4)}, ${moving.lon.toFixed(4)} (${hhmm(moving.at)} 기준)`)
      : null;
    const actions = el("div.row", {},
      ["Placed", "Accepted"].includes(o.status) ? el("button", { id: "cancel-button", onclick: async () => {
        if (await attempt(() => api("POST", `/orders/${o.id}/cancel`, { reason: "CHANGED_MIND" }), "주문을 취소했습니다")) showOrder(o.id);
      } }, "주문 취소") : null,
      o.status === "Delivered" ? el("button.primary", { id: "confirm-button", onclick: async () => {
        if (await attempt(() => api("POST", `/orders/${o.id}/confirm`), "배송을 확인했습니다")) showOrder(o.id);
      } }, "배송 확인") : null);
    put(main, 
      el("button.link", { onclick: showStores }, "← 가게 목록"),
      el("h1", {}, `주문 #${o.id} · ${o.storeName}`),
      el("p", {}, el("span.badge.big", { id: "order-status", dataset: { status: o.status } }, STATUS[o.status] || o.status)),
      el("p", {}, o.readyBy ? `조리 완료 예정 ${hhmm(o.readyBy)} · ` : "",
        eta ? el("strong", { id: "eta" }, `도착 예정 ${hhmm(eta)}`) : "도착 예정 시간은 가게가 주문을 수락하면 알려 드립니다"),
      tracking, timeline,
      el("ul", {}, o.items.map((l) => el("li", {}, `${l.name} × ${l.qty}`,
        l.options?.length ? el("small.muted", {}, ` (${l.options.map((x) => x.name).join(", ")})`) : null))),
      el("p", {}, `결제 ${won(o.amount)} (배달팁 ${won(o.fees?.deliveryWon)})`),
      actions,
      o.status === "Completed" ? review(o) : null);
  }

  function review(o) {
    const rating = el("select", { name: "rating" }, [5, 4, 3, 2, 1].map((n) => el("option", { value: n }, "★".repeat(n))));
    const text = el("input", { name: "text", placeholder: "맛은 어떠셨나요?" });
    return el("form.card", {
      onsubmit: async (e) => {
        e.preventDefault();
        await attempt(() => api("POST", "/reviews", { orderId: o.id, rating: Number(rating.value), text: text.value }), "리뷰를 남겼습니다");
        refreshSide();
      },
    }, el("h2", {}, "리뷰 쓰기"), rating, text, el("button", { type: "submit" }, "등록"));
  }

  await Promise.all([showStores(), refreshSide()]);
  toast(`${me.name}님, 어서 오세요`);
}
