// Colours and radii for atoms in the viewer (no React). S is shaded by layer so the two sulfur planes read apart.

export interface AtomStyle {
  color: string;
  /** Drawn sphere radius (Å); a bit under covalent radii so the sheet reads as a lattice. */
  radius: number;
}

const BY_ELEMENT: Record<string, AtomStyle> = {
  Mo: { color: '#6f8fd8', radius: 0.72 },
  S: { color: '#f2c14e', radius: 0.58 },
  W: { color: '#8a7bd1', radius: 0.74 },
  Se: { color: '#f29b4e', radius: 0.66 },
  He: { color: '#d9ffff', radius: 0.45 },
  Ne: { color: '#b3e3f5', radius: 0.5 },
  Ar: { color: '#80d1e3', radius: 0.6 },
  Kr: { color: '#5cb8d1', radius: 0.66 },
  Xe: { color: '#429eb0', radius: 0.72 },
  Ga: { color: '#c28f8f', radius: 0.68 },
  Au: { color: '#ffd123', radius: 0.72 },
  O: { color: '#ff4d4d', radius: 0.5 },
  H: { color: '#ffffff', radius: 0.3 },
};

export const S_BOTTOM_COLOR = '#c8902f';
/** The incoming ion, whatever its element. */
export const ION_COLOR = '#5ef2ff';
/** Overlays: sputtered atoms (halo and trail), the ion's path, vacancies, pores, the impact point. */
export const OVERLAY = { sputtered: '#ff4fd8', ionPath: '#5ef2ff', vacancy: '#ff5a5a', pore: '#ff9f43', impact: '#7dff8a' } as const;

export function atomStyle(symbol: string): AtomStyle {
  return BY_ELEMENT[symbol] ?? { color: '#e06ad0', radius: 0.6 };
}
