"""ASE calculator around the trainer's DPModel (float64): energy, per-atom energies, forces and stress.

    from trainer.calculator import DPCalculator
    atoms.calc = DPCalculator('models/mos2-dptab.yaml')      # or DPCalculator(model) with a DPModel

Everything comes from DPModel.forward (its neighbour list, its autograd forces and virial); nothing of the model maths
is repeated here.  Stress = -virial / volume (ASE sign: positive = tensile), volume of the ASE cell.

Periodicity: fully periodic cells and isolated clusters (pbc all False: no box, no stress) are passed as they are.
For a slab (one non-periodic direction, e.g. pbc = (T, T, F)) that cell vector is replaced, for the model only, by a
vector normal to the periodic plane that is longer than the atoms' extent plus rcut, so no pair crosses the vacuum
whatever the cell height; the stress still refers to the ASE cell (2D stress = stress x c).
"""
from __future__ import annotations

import os

import numpy as np
import torch
from ase.calculators.calculator import Calculator, PropertyNotImplementedError, all_changes
from ase.stress import full_3x3_to_voigt_6_stress

from . import export
from .model import DTYPE, DPModel


class DPCalculator(Calculator):
    implemented_properties = ['energy', 'free_energy', 'energies', 'forces', 'stress']

    def __init__(self, model: DPModel | str, **kwargs):
        super().__init__(**kwargs)
        if isinstance(model, str):
            self.model_path = os.path.abspath(model)
            model = export.load(model)
        else:
            self.model_path = None
        self.model = model.eval()
        self.type_map = list(model.cfg.type_map)
        self.rcut = float(model.cfg.rcut)
        self.ncalls = 0

    def _box(self, atoms) -> np.ndarray | None:
        pbc = np.asarray(atoms.pbc, dtype=bool)
        if not pbc.any():
            return None
        cell = atoms.cell.array.copy()
        if pbc.all():
            return cell
        if pbc.sum() != 2:
            raise NotImplementedError('DPCalculator: only full, no, or slab (one non-periodic direction) periodicity')
        k = int(np.flatnonzero(~pbc)[0])
        a, b = cell[(k + 1) % 3], cell[(k + 2) % 3]
        n = np.cross(a, b)
        n /= np.linalg.norm(n)
        extent = np.ptp(atoms.positions @ n) if len(atoms) else 0.0
        length = extent + 2 * self.rcut + 1.0
        new = cell.copy()
        new[k] = n * length * (1 if np.dot(n, cell[k]) >= 0 else -1)
        return new

    def calculate(self, atoms=None, properties=('energy',), system_changes=all_changes):
        super().calculate(atoms, properties, system_changes)
        at = self.atoms
        try:
            atype = np.array([self.type_map.index(s) for s in at.get_chemical_symbols()], dtype=np.int64)
        except ValueError as e:
            raise ValueError(f'DPCalculator: element not in the model type_map {self.type_map}') from e
        box = self._box(at)
        coord = torch.as_tensor(at.positions, dtype=DTYPE)
        out = self.model(coord, None if box is None else torch.as_tensor(box, dtype=DTYPE), torch.as_tensor(atype))
        self.ncalls += 1
        e = float(out['energy'])
        self.results = {
            'energy': e, 'free_energy': e,
            'energies': out['atom_energy'].detach().numpy().astype(np.float64).copy(),
            'forces': out['force'].detach().numpy().astype(np.float64).copy(),
        }
        if box is not None:
            vol = abs(np.linalg.det(at.cell.array))
            W = out['virial'].detach().numpy().astype(np.float64)
            self.results['stress'] = full_3x3_to_voigt_6_stress(-W / vol)
        elif 'stress' in properties:
            raise PropertyNotImplementedError('stress of a non-periodic configuration')
