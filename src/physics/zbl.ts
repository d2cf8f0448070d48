// Universal ZBL screened nuclear repulsion (Ziegler, Biersack, Littmark 1985), ../shared/physics/PHYSICS.md §3,
// with LAMMPS metal-unit constants (pair_zbl_const.h).

/** e^2 / (4 pi eps0) in eV·Å (LAMMPS metal qqr2e). */
export const QQR2E = 14.399645;
const A0 = 0.46850; // Å, 0.8854 * Bohr radius
const C = [0.18175, 0.50986, 0.28022, 0.02817];
const D = [3.1998, 0.94229, 0.4029, 0.20162];

/** Screening length a(Z1, Z2) in Å. */
export const zblScreening = (z1: number, z2: number): number => A0 / (Math.pow(z1, 0.23) + Math.pow(z2, 0.23));

/** ZBL pair energy (eV) and its radial derivative dE/dr (eV/Å) at distance r (Å). */
export function zbl(z1: number, z2: number, r: number): { e: number; dedr: number } {
  const a = zblScreening(z1, z2);
  const k = QQR2E * z1 * z2;
  let phi = 0;
  let dphi = 0;
  for (let i = 0; i < 4; i++) {
    const t = C[i] * Math.exp(-D[i] * r / a);
    phi += t;
    dphi -= (D[i] / a) * t;
  }
  const e = (k / r) * phi;
  return { e, dedr: (k / r) * dphi - e / r };
}
