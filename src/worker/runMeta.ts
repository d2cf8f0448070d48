// Names and metadata of a run, as stored with its trajectory (no DOM).
import type { Trajectory } from '../export/trajectory.ts';
import type { RunInfo } from './protocol.ts';
import { isDpChoice, type SimSettings } from './settings.ts';

export function formatEnergy(eV: number): string {
  if (eV >= 1e6) return `${+(eV / 1e6).toPrecision(4)} MeV`;
  if (eV >= 1e3) return `${+(eV / 1e3).toPrecision(4)} keV`;
  return `${+eV.toPrecision(4)} eV`;
}

/** e.g. "S ion 500 eV, normal incidence, 8 × 5 cells (241 atoms)". */
export function runTitle(s: SimSettings, natoms: number): string {
  const p = s.projectile;
  const who = p.mode === 'ion' ? `${p.species} ion` : `${p.pkaSite} PKA`;
  const dir = p.polar === 0 ? 'normal incidence' : `polar ${p.polar}°, azimuth ${p.azimuth}°`;
  return `${who} ${formatEnergy(p.energy)}, ${dir}, ${s.sample.nx} × ${s.sample.ny} cells (${natoms} atoms)`;
}

/** The trajectory header for a run: atoms, cell, and the scenario as metadata (JSON-encoded where nested). */
export function trajectoryHead(info: RunInfo, model: { file: string; typeMap: string[] } | null): Omit<Trajectory, 'frames'> {
  const s = info.settings;
  return {
    species: info.species,
    atype: info.atype,
    masses: info.mass,
    cell: Float64Array.from(info.cell),
    pbc: info.pbc,
    meta: {
      runId: info.runId,
      title: runTitle(s, info.natoms),
      potential: info.potential,
      model: s.model,
      projectile: info.projectile,
      impact_x: info.impact[0],
      impact_y: info.impact[1],
      settings: JSON.stringify(s),
      dt_reset: JSON.stringify(info.dtReset),
      lattice_a: info.a,
      lattice_t: info.t,
      cutoff: info.cutoff,
      ...(isDpChoice(s.model) && model ? { model_file: model.file, type_map: JSON.stringify(model.typeMap) } : {}),
    },
  };
}
