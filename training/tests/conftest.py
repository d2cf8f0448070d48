import os
import sys

TRAIN = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if TRAIN not in sys.path:
    sys.path.insert(0, TRAIN)

TABLE = os.path.join(os.path.dirname(TRAIN), 'models', 'mos2-pairtable.txt')


def tiny_model(seed=3, table=True, resnet_dt=True):
    """A tiny float64 Mo/S DP(-Tab) model with perturbed weights and set statistics (the nets less flat than at
    init, so that checks against finite differences or other engines are not trivial)."""
    import numpy as np
    import torch
    from trainer.model import DTYPE, DPModel, ModelConfig, PairTable
    cfg = ModelConfig(type_map=['Mo', 'S'], rcut=4.0, rcut_smth=0.5, sel=[10, 20], neuron=[2, 4, 8], axis_neuron=4,
                      fitting_neuron=[12, 12], resnet_dt_fitting=resnet_dt, seed=seed)
    m = DPModel(cfg, PairTable.from_file(TABLE, cfg.rcut) if table else None)
    rng = np.random.default_rng(seed)
    davg = np.zeros((2, m.nnei, 4))
    dstd = np.ones((2, m.nnei, 4))
    davg[:, :, 0] = [[0.12], [0.09]]
    dstd[:, :, 0] = [[0.31], [0.27]]
    dstd[:, :, 1:] = [[[0.21]], [[0.18]]]
    m.set_stat(davg, dstd)
    m.bias_atom_e.copy_(torch.tensor([0.4, -0.3], dtype=DTYPE))
    m.set_bias(np.array([-10.5, -4.2]))
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.3 * torch.as_tensor(rng.standard_normal(tuple(p.shape))))
    return m.eval()
