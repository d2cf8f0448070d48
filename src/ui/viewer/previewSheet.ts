// A stand-in 2H-MoS2 sheet for the viewer until src/physics/lattice.ts lands (then this file goes away).
// Orthogonal a x sqrt(3)a cell with 6 atoms, ../shared/physics/PHYSICS.md §6:
//   Mo (0, 0, 0), (1/2, 1/2, 0); S (1/2, 1/6, ±t/2), (0, 2/3, ±t/2)   (fractional x, y; z in Å).

export interface SheetData {
  /** Flat natoms*3 Cartesian positions (Å), Mo plane at z = 0. */
  coord: Float64Array;
  atype: Int32Array;
  species: string[];
  /** Nine numbers, rows are the cell vectors. */
  cell: Float64Array;
}

export function previewSheet(nx: number, ny: number, a = 3.18, t = 3.12): SheetData {
  const b = Math.sqrt(3) * a;
  const basis: [number, number, number, number][] = [
    [0, 0, 0, 0], [0, 0.5, 0.5, 0],
    [1, 0.5, 1 / 6, t / 2], [1, 0.5, 1 / 6, -t / 2],
    [1, 0, 2 / 3, t / 2], [1, 0, 2 / 3, -t / 2],
  ];
  const n = nx * ny * basis.length;
  const coord = new Float64Array(n * 3);
  const atype = new Int32Array(n);
  let k = 0;
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      for (const [ty, fx, fy, z] of basis) {
        coord[3 * k] = (i + fx) * a;
        coord[3 * k + 1] = (j + fy) * b;
        coord[3 * k + 2] = z;
        atype[k++] = ty;
      }
    }
  }
  const cell = new Float64Array([nx * a, 0, 0, 0, ny * b, 0, 0, 0, 40]);
  return { coord, atype, species: ['Mo', 'S'], cell };
}
