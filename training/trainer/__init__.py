"""DP-Tab trainer for MoS2 (issue 7): a PyTorch float64 re-implementation of DeePMD-kit's se_e2_a + ener model with
the v3 DP-ZBL pair-table blend, exactly as ../shared/deepmd/SPEC.md (v3 rules), plus its training and its export in
DeePMD-kit v3's serialised format.  Run with Debian's /usr/bin/python3 (needs python3-torch, python3-numpy,
python3-yaml for .yaml).

Modules
  model.py   DPModel(ModelConfig, PairTable | None): neighbour list with periodic images (v3 slot rule), smooth switch,
             env matrix, davg/dstd, two-sided embedding nets (size-based ResNet skips), axis neurons, fitting nets,
             bias_atom_e and out_bias, the softmin-switched pair table (sw_rmin/sw_rmax/smin_alpha).
             model(coord, box, atype) -> {energy, atom_energy, force = -dE/dx, virial = -dE/d(strain)^T}.
             PairTable.from_file(models/mos2-pairtable.txt, rcut): DeePMD-kit v3 table coefficients (clamped spline,
             table extended to rcut).
  data.py    read_dataset(training/data, type_map) -> frames; env_stat (davg/dstd), energy_bias (least squares),
             isolated_atom_energies; prepare(model, frames, bias_frames, atom_energies) sets both: without atom
             energies the fit goes to out_bias (unweighted, outside the blend; DeePMD-kit's default); with them
             out_bias = isolated atoms (the table's zero) and bias_atom_e = fit - atoms (weighted by 1 - w).
  loss.py    LossConfig (start/limit prefactors for E, F, V scaled by lr/start_lr; relative_f = eps of the paper's
             eq. 4 relative force error |dF| / (|F_dft| + eps), optionally only for configurations whose largest
             DFT force exceeds relative_f_min_force), LRConfig (DeePMD-kit's staircase exponential decay).
  train.py   train(model, frames, TrainConfig, steps) with Adam; evaluate(model, frames) -> RMSEs.
  export.py  save(model, 'x.json' | 'x.yaml') / load(path): the v3 dict ("type": "zbl" with [standard, pairtab]
             sub-models, or "standard" without a table), the schema of deeppot_dpmodel.yaml and src/model/v3/write.ts.

Example
  import sys; sys.path.insert(0, 'training')
  from trainer.model import DPModel, ModelConfig, PairTable
  from trainer.data import read_dataset
  from trainer.train import TrainConfig, train
  from trainer import export
  cfg = ModelConfig(type_map=['Mo', 'S'], rcut=6.0, rcut_smth=0.5, sel=[40, 80])
  model = DPModel(cfg, PairTable.from_file('models/mos2-pairtable.txt', cfg.rcut))
  frames = read_dataset('training/data', cfg.type_map)
  train(model, frames, TrainConfig(), steps=1000)      # computes davg/dstd and the bias first
  export.save(model, 'mos2-dptab.yaml'); export.save(model, 'mos2-dptab.json')
or the command line: /usr/bin/python3 training/train.py --out models/x --steps N [--bias-mode atoms|lstsq]
[--no-fit-below 1.05] [--relative-f EPS] ... (--help); --tiny --steps 5 is a smoke run.

Tests: cd training && CI=1 /usr/bin/python3 -m pytest -q tests/test_trainer.py (forces/virial against finite
differences, round trip, agreement with the app's CPU reference `npx tsx src/cli/main.ts eval` to 1e-8, a few steps).
"""
