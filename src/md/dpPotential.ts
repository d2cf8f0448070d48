// Moved: the DP CPU potential is src/potential/cpu/dpPotential.ts (class DpCpuPotential). This alias keeps
// src/worker/potentials.ts (another engineer's file) compiling until it imports the new module; then delete it.
export { DpCpuPotential as DpCpuWithZbl } from '../potential/cpu/dpPotential.ts';
