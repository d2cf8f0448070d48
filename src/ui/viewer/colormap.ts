// Kinetic-energy colour scale for the atoms (no React): log scale from KE_MIN to KE_MAX eV through a
// perceptually ordered ramp (dark blue -> teal -> yellow -> white-hot).

export const KE_MIN = 0.01;
export const KE_MAX = 100;

const STOPS: [number, number, number][] = [
  [0.16, 0.19, 0.42],
  [0.13, 0.47, 0.62],
  [0.2, 0.72, 0.48],
  [0.95, 0.82, 0.2],
  [1.0, 0.38, 0.18],
  [1.0, 0.95, 0.92],
];

/** Writes the colour of kinetic energy `ke` (eV) into out[o..o+2] (linear 0..1 sRGB components). */
export function keColor(ke: number, out: Float32Array | number[], o = 0): void {
  const f = Math.min(1, Math.max(0, Math.log10(Math.max(ke, KE_MIN) / KE_MIN) / Math.log10(KE_MAX / KE_MIN)));
  const x = f * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(x));
  const u = x - k;
  for (let c = 0; c < 3; c++) out[o + c] = STOPS[k][c] * (1 - u) + STOPS[k + 1][c] * u;
}

/** CSS gradient for the legend. */
export function keGradientCss(): string {
  const stops = STOPS.map(([r, g, b], i) => `rgb(${Math.round(255 * r)} ${Math.round(255 * g)} ${Math.round(255 * b)}) ${((100 * i) / (STOPS.length - 1)).toFixed(0)}%`);
  return `linear-gradient(90deg, ${stops.join(', ')})`;
}
