// The rider's view: a picture of Seoul with the rider and the ready
// deliveries near them, nearest first; pick, complete, duty on and off,
// and the rider's location (click the map, or choose a district).

import { el, put, api, attempt, live, toast } from "./app.js";
import { seoulMap, project, svg } from "./seoul.js";

/** How far around the rider deliveries are looked for (km). */
const REACH_KM = 10;

export async function riderView(root, me) {
  const path = `/riders/${encodeURIComponent(me.id)}`;
  let rider = await api("GET", path);
  const carrying = new Set(JSON.parse(sessionStorage.getItem("carrying") || "[]"));
  const keep = () => sessionStorage.setItem("carrying", JSON.stringify([...carrying]));

  const map = await seoulMap((lat, lon) => locate(lat, lon));
  const list = el("section.deliveries");
  const status = el("div.row");
  const district = el("select", { name: "district", onchange: (e) => {
    const d = map.districts.find((x) => x.name === e.target.value);
    if (d) locate(d.lat, d.lon);
  } }, el("option", { value: "" }, "구 선택…"), map.districts.map((d) => el("option", { value: d.name }, d.name)));
  put(root, 
    el("div.columns", {}, el("section.main", {}, el("h1", {}, "배달 지도"), status, el("div.map", {}, map)), el("aside.side", {}, list)));

  async function locate(lat, lon) {
    const moved = await attempt(() => api("PUT", `${path}/location`, { lat, lon }), "위치를 알렸습니다");
    if (moved) { rider = moved; refresh(); }
  }

  function showStatus() {
    put(status, 
      el("span.badge", { id: "duty", dataset: { status: rider.onDuty ? "on" : "off" } }, rider.onDuty ? "근무 중" : "쉬는 중"),
      el("button", { onclick: async () => {
        const changed = await attempt(() => api("PUT", `${path}/duty`, { onDuty: !rider.onDuty }));
        if (changed) { rider = changed; refresh(); }
      } }, rider.onDuty ? "근무 끝" : "근무 시작"),
      " 내 위치: ", district,
      rider.location ? el("small.muted", {}, ` ${rider.location.lat.toFixed(4)}, ${rider.location.lon.toFixed(4)}`) : el("small.muted", {}, " 지도를 눌러 위치를 알려 주세요"));
  }

  async function refresh() {
    showStatus();
    const ready = rider.location
      ? await api("GET", `/deliveries?riderId=${encodeURIComponent(me.id)}&radiusKm=${REACH_KM}&limit=20`).catch(() => [])
      : [];
    const mine = (await Promise.all([...carrying].map((id) => api("GET", `/deliveries/${id}`).catch(() => null)))).filter(Boolean);
    // Until the board shows the pick (it may trail a moment), a delivery
    // this rider picked still reads Ready: it is theirs all the same.
    const onTheWay = (d) => d.status === "PickedUp" || d.status === "Ready";
    for (const d of mine) if (!onTheWay(d)) carrying.delete(d.orderId);
    keep();
    const carried = mine.filter(onTheWay);
    const shown = ready.filter((d) => !carrying.has(d.orderId));
    draw(shown, carried);
    put(list, 
      el("h2", {}, "배달 중"),
      carried.length ? carried.map((d) => el("div.card.delivery", { dataset: { order: d.orderId } },
        el("strong", {}, `#${d.orderId} ${d.storeName}`), el("p", {}, `→ ${d.dropoff.address}`),
        d.note ? el("p.note", {}, `요청사항: ${d.note}`) : null,
        el("button.primary", { dataset: { action: "complete" }, onclick: async () => {
          if (await attempt(() => api("POST", `/deliveries/${d.orderId}/complete`), "배달을 완료했습니다")) { carrying.delete(d.orderId); refresh(); }
        } }, "배달 완료"))) : el("p.muted", {}, "없음"),
      el("h2", {}, `가까운 배달 (${REACH_KM}km)`),
      shown.length ? el("ol", {}, shown.map((d, i) => el("li.card.delivery", { dataset: { order: d.orderId } },
        el("strong", {}, `${i + 1}. #${d.orderId} ${d.storeName}`),
        el("p", {}, `가게까지 ${d.distanceToStoreKm}km · 고객까지 ${d.distanceToCustomerKm}km`),
        el("p.muted", {}, d.dropoff.address),
        el("button.primary", { dataset: { action: "pick" }, onclick: async () => {
          if (await attempt(() => api("POST", `/deliveries/${d.orderId}/pick`), "픽업했습니다")) { carrying.add(d.orderId); keep(); refresh(); }
        } }, "픽업")))) : el("p.muted", {}, rider.location ? "근처에 준비된 배달이 없습니다" : "위치를 알려 주면 찾아 드립니다"));
  }

  function draw(ready, mine) {
    const marks = [];
    for (const [i, d] of ready.entries()) {
      const [sx, sy] = project(d.pickup.lat, d.pickup.lon);
      const [cx, cy] = project(d.dropoff.lat, d.dropoff.lon);
      marks.push(svg("line", { x1: sx, y1: sy, x2: cx, y2: cy, class: "route" }),
        svg("circle", { cx, cy, r: 4, class: "dropoff" }),
        svg("g", { class: "ready", "data-order": d.orderId },
          svg("circle", { cx: sx, cy: sy, r: 11 }), svg("text", { x: sx, y: sy + 4 }, i + 1)));
    }
    for (const d of mine) {
      const [cx, cy] = project(d.dropoff.lat, d.dropoff.lon);
      marks.push(svg("circle", { cx, cy, r: 8, class: "destination" }));
    }
    if (rider.location) {
      const [x, y] = project(rider.location.lat, rider.location.lon);
      marks.push(svg("g", { class: "me" }, svg("circle", { cx: x, cy: y, r: 9 }), svg("text", { x, y: y - 14 }, "나")));
    }
    put(map.marks, ...marks);
  }

  live((m) => { if (m.orderId) refresh(); });
  // Ready deliveries appear for every rider nearby, not only this one's
  // notifications: look again every few seconds.
  setInterval(refresh, 3000);
  await refresh();
  toast(`${me.name}님, 안전 운전하세요. 지도를 눌러 위치를 바꿀 수 있습니다`);
}
