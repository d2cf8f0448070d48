// Atomic numbers and standard atomic weights (IUPAC 2016, as in ASE's atomic_masses_iupac2016),
// ../shared/physics/PHYSICS.md §5. Elements outside a model interact through universal ZBL, which needs Z.

export interface Element {
  symbol: string;
  Z: number;
  /** amu */
  mass: number;
}

const TABLE: [string, number, number][] = [
  ['H', 1, 1.008], ['He', 2, 4.002602], ['Li', 3, 6.94], ['Be', 4, 9.0121831], ['B', 5, 10.81],
  ['C', 6, 12.011], ['N', 7, 14.007], ['O', 8, 15.999], ['F', 9, 18.998403163], ['Ne', 10, 20.1797],
  ['Na', 11, 22.98976928], ['Mg', 12, 24.305], ['Al', 13, 26.9815385], ['Si', 14, 28.085], ['P', 15, 30.973761998],
  ['S', 16, 32.06], ['Cl', 17, 35.45], ['Ar', 18, 39.948], ['K', 19, 39.0983], ['Ca', 20, 40.078],
  ['Ti', 22, 47.867], ['Cr', 24, 51.9961], ['Fe', 26, 55.845], ['Ni', 28, 58.6934], ['Cu', 29, 63.546],
  ['Zn', 30, 65.38], ['Ga', 31, 69.723], ['Ge', 32, 72.63], ['As', 33, 74.921595], ['Se', 34, 78.971],
  ['Br', 35, 79.904], ['Kr', 36, 83.798], ['Nb', 41, 92.90637], ['Mo', 42, 95.95], ['Ag', 47, 107.8682],
  ['In', 49, 114.818], ['Sn', 50, 118.71], ['Te', 52, 127.6], ['I', 53, 126.90447], ['Xe', 54, 131.293],
  ['Cs', 55, 132.90545196], ['Hf', 72, 178.49], ['Ta', 73, 180.94788], ['W', 74, 183.84], ['Pt', 78, 195.084],
  ['Au', 79, 196.966569], ['Pb', 82, 207.2], ['Bi', 83, 208.9804],
];

const BY_SYMBOL = new Map<string, Element>(TABLE.map(([symbol, Z, mass]) => [symbol, { symbol, Z, mass }]));

/** The element with this symbol; throws a clear error for unknown symbols. */
export function element(symbol: string): Element {
  const e = BY_SYMBOL.get(symbol);
  if (!e) {
    throw new Error(`Unknown element "${symbol}". Known: ${[...BY_SYMBOL.keys()].join(', ')}; or give Z and mass.`);
  }
  return e;
}

export const hasElement = (symbol: string): boolean => BY_SYMBOL.has(symbol);
export const knownElements = (): string[] => [...BY_SYMBOL.keys()];
