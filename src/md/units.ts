// LAMMPS metal-unit conversion constants (src/update.cpp, units metal).

/** amu·(Å/ps)^2 -> eV. */
export const MVV2E = 1.0364269e-4;
/** (eV/Å)/amu -> Å/ps^2 (= 1/MVV2E = 9648.533...). */
export const FTM2V = 1 / 1.0364269e-4;
/** Boltzmann constant, eV/K. */
export const BOLTZ = 8.617343e-5;
