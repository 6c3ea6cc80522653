import { topKFilter, topPFilter, typicalFilter } from '../src/index';

const V = 250880;
let s = 7;
const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
const x = Float32Array.from({ length: V }, (_, i) => 8 - 1.3 * Math.log(((i * 7919) % V) + 1) + (rnd() - 0.5));
const y = new Float32Array(V);
for (const [name, f] of [
  ['typical', () => typicalFilter(x, { mass: 0.9 })],
  ['topP', () => topPFilter(x, { p: 0.9 })],
  ['topK', () => topKFilter(x, { k: 50 })],
  [
    'memcpy-ish loop',
    () => {
      for (let i = 0; i < V; i++) y[i] = x[i] + 1;
    },
  ],
] as const) {
  for (let r = 0; r < 20; r++) f();
  const t = performance.now();
  const c = process.cpuUsage();
  for (let r = 0; r < 50; r++) f();
  const cu = process.cpuUsage(c);
  console.log(
    name,
    'wall',
    (((performance.now() - t) / 50) * 1000).toFixed(0),
    'us',
    'cpu',
    ((cu.user + cu.system) / 50).toFixed(0),
    'us',
  );
}
