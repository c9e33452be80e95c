// A picture of Seoul drawn from the gazetteer baedal ships
// (data/seoul_districts.json: each district's name and centre): every
// district is the part of the city nearer its centre than any other's
// (a Voronoi cell), cut to 5 km around its centre. No map tiles.

const NS = "http://www.w3.org/2000/svg";
const WIDTH = 800, HEIGHT = 620;
// The city's box (WGS84 degrees) and the scale at its latitude.
const WEST = 126.76, EAST = 127.19, NORTH = 37.71, SOUTH = 37.42;
const COS = Math.cos((37.55 * Math.PI) / 180);
const SCALE = Math.min(WIDTH / ((EAST - WEST) * COS), HEIGHT / (NORTH - SOUTH));
const KM_PER_DEGREE = 111.32;

/** Degrees to the picture's x, y. */
export const project = (lat, lon) => [(lon - WEST) * COS * SCALE, (NORTH - lat) * SCALE];
/** The picture's x, y back to degrees. */
export const unproject = (x, y) => ({ lat: NORTH - y / SCALE, lon: WEST + x / (COS * SCALE) });

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

/** Keeps the part of the convex polygon `poly` where `inside(p)` (a
 *  half-plane a·p <= b), Sutherland–Hodgman. */
function clip(poly, a, b) {
  const side = ([x, y]) => a[0] * x + a[1] * y - b;
  const out = [];
  poly.forEach((p, i) => {
    const q = poly[(i + 1) % poly.length];
    const sp = side(p), sq = side(q);
    if (sp <= 0) out.push(p);
    if ((sp < 0 && sq > 0) || (sp > 0 && sq < 0)) {
      const t = sp / (sp - sq);
      out.push([p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])]);
    }
  });
  return out;
}

/** The district cells, in picture coordinates. */
function cells(districts) {
  const sites = districts.map((d) => project(d.lat, d.lon));
  const reach = 5 * (SCALE / KM_PER_DEGREE); // 5 km in picture units
  return sites.map((s, i) => {
    let poly = [[0, 0], [WIDTH, 0], [WIDTH, HEIGHT], [0, HEIGHT]];
    sites.forEach((t, j) => {
      if (i === j) return;
      // Nearer s than t: 2(t-s)·p <= |t|² - |s|².
      const a = [2 * (t[0] - s[0]), 2 * (t[1] - s[1])];
      poly = clip(poly, a, t[0] ** 2 + t[1] ** 2 - s[0] ** 2 - s[1] ** 2);
    });
    for (let k = 0; k < 24; k++) {
      const angle = (2 * Math.PI * k) / 24;
      const n = [Math.cos(angle), Math.sin(angle)];
      poly = clip(poly, n, n[0] * s[0] + n[1] * s[1] + reach);
    }
    return poly;
  });
}

/** The map: an <svg> with each district drawn and named, and a layer for
 *  markers (`map.marks`). `onPick(lat, lon)` is called where it is clicked. */
export async function seoulMap(onPick) {
  const districts = await (await fetch("/console/districts.json")).json();
  const marks = svg("g", { class: "marks" });
  const land = svg("g", { class: "districts" });
  cells(districts).forEach((poly, i) => {
    const d = districts[i];
    const [x, y] = project(d.lat, d.lon);
    land.append(
      svg("polygon", { points: poly.map((p) => p.map((v) => v.toFixed(1)).join(",")).join(" "), "data-district": d.name }),
      svg("text", { x: x.toFixed(1), y: y.toFixed(1), class: "label" }, d.name));
  });
  const map = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "seoul", role: "img", "aria-label": "서울 25개 구 지도",
    onclick: (e) => {
      const box = map.getBoundingClientRect();
      const { lat, lon } = unproject(((e.clientX - box.left) * WIDTH) / box.width, ((e.clientY - box.top) * HEIGHT) / box.height);
      onPick?.(lat, lon);
    },
  }, land, marks);
  map.marks = marks;
  map.districts = districts;
  return map;
}
