"""The PyTorch trainer (training/trainer): forces and virial against finite differences, export/import round trip,
agreement with the app's float64 CPU reference (npx tsx src/cli/main.ts eval), and a few training steps.
A tiny float64 model; no full training."""
import dataclasses
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from conftest import TRAIN, tiny_model

try:
    import torch
except ImportError:  # pragma: no cover
    torch = None
    print('\n*** test_trainer: PyTorch is missing (apt-get install python3-torch, or training/setup.sh); trainer tests SKIPPED ***',
          file=sys.stderr)

pytestmark = pytest.mark.skipif(torch is None, reason='PyTorch missing: install python3-torch (training/setup.sh)')

ROOT = os.path.dirname(TRAIN)
TABLE = os.path.join(ROOT, 'models', 'mos2-pairtable.txt')
DATA = os.path.join(TRAIN, 'data')

if torch is not None:
    from trainer.model import DTYPE, DPModel, ModelConfig, PairTable
    from trainer import export


def tiny(table=True, seed=3, resnet_dt=True):
    return tiny_model(seed, table, resnet_dt)


CELL = np.array([[3.19, 0.0, 0.0], [-1.595, 2.7626, 0.0], [0.0, 0.0, 9.0]])


def config(close: float | None):
    """MoS2 primitive cell (periodic, vacuum along z) + one extra S; `close`: put it this far from the Mo."""
    coord = [[0.0, 0.0, 4.5], [1.595, 0.9209, 6.06], [1.595, 0.9209, 2.94]]
    if close is not None:
        v = np.array([0.3, -0.5, 0.81])
        coord.append(list(np.array(coord[0]) + close * v / np.linalg.norm(v)))
    else:
        coord.append([0.7, 1.9, 7.3])
    return np.array(coord), CELL.copy(), np.array([0, 1, 1, 1])


def run(m, coord, box, atype):
    return m(torch.tensor(coord, dtype=DTYPE), None if box is None else torch.tensor(box, dtype=DTYPE), torch.tensor(atype))


def blend_weight(m, coord, box, atype):
    """w of the close-contact atom (for checking that the test config really sits in the blend window)."""
    t = torch.tensor
    nb = m.neighbors(coord, box, atype)
    R, r, d = m.env_matrix(t(coord), None if box is None else t(box), t(atype), nb)
    ex = np.exp(-r.numpy() / m.cfg.smin_alpha)
    ii = nb.i
    sig = np.bincount(ii, r.numpy() * ex) / np.bincount(ii, ex)
    return sig


def test_forces_and_virial_are_minus_fd_gradient():
    m = tiny()
    coord, box, atype = config(1.1)
    sig = blend_weight(m, coord, box, atype)
    assert 1.0 < sig.min() < 1.2, f'softmin distance {sig.min()} not in the blend window'
    out = run(m, coord, box, atype)
    F = out['force'].detach().numpy()
    h = 1e-5
    fd = np.zeros_like(coord)
    for a in range(len(coord)):
        for c in range(3):
            e = []
            for s in (1, -1):
                x = coord.copy()
                x[a, c] += s * h
                e.append(float(run(m, x, box, atype)['energy']))
            fd[a, c] = -(e[0] - e[1]) / (2 * h)
    scale = max(1.0, np.abs(F).max())
    print('max |F|', np.abs(F).max(), 'max |F + dE/dx|', np.abs(F - fd).max())
    assert np.abs(F - fd).max() < 1e-6 * scale
    assert np.abs(F).max() > 1.0  # the table term is really active
    # virial W = -dE/d(strain)^T (deformation of coordinates and cell together)
    W = out['virial'].detach().numpy()
    fdw = np.zeros((3, 3))
    for a in range(3):
        for b in range(3):
            e = []
            for s in (1, -1):
                eps = np.eye(3)
                eps[a, b] += s * h
                e.append(float(run(m, coord @ eps, box @ eps, atype)['energy']))
            fdw[b, a] = -(e[0] - e[1]) / (2 * h)
    print('max |W - W_fd|', np.abs(W - fdw).max())
    assert np.abs(W - fdw).max() < 1e-6 * max(1.0, np.abs(W).max())


@pytest.mark.parametrize('ext', ['json', 'yaml'])
def test_export_import_round_trip(tmp_path, ext):
    m = tiny()
    p = str(tmp_path / f'model.{ext}')
    export.save(m, p)
    m2 = export.load(p)
    sd1, sd2 = m.state_dict(), m2.state_dict()
    assert sd1.keys() == sd2.keys()
    for k in sd1:
        assert torch.equal(sd1[k], sd2[k]), k
    assert np.array_equal(m.table.data, m2.table.data)
    assert m2.cfg == m.cfg
    coord, box, atype = config(1.1)
    assert float(run(m, coord, box, atype)['energy']) == float(run(m2, coord, box, atype)['energy'])
    # exported twice the same (apart from the time stamp)
    d1, d2 = export.model_to_dict(m), export.model_to_dict(m2)
    d1.pop('time'), d2.pop('time')
    assert json.dumps(d1) == json.dumps(d2)
    # the schema of DeePMD-kit's own v3 serialisation
    md = d1['model']
    assert md['type'] == 'zbl' and [x['type'] for x in md['models']] == ['standard', 'pairtab']
    assert md['models'][0]['descriptor']['@variables']['davg']['@class'] == 'np.ndarray'


NPX = shutil.which('npx')


def ts_eval(model_file, coord, box, atype, tmp_path):
    cfg = tmp_path / 'cfg.json'
    cfg.write_text(json.dumps({'coord': coord.reshape(-1).tolist(), 'box': None if box is None else box.reshape(-1).tolist(),
                               'atype': atype.tolist()}))
    r = subprocess.run([NPX, 'tsx', 'src/cli/main.ts', 'eval', '--model', str(model_file), '--config', str(cfg), '--backend', 'cpu'],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize('case', ['dp-only', 'zbl-blend', 'zbl-far-nopbc'])
def test_app_cpu_reference_agrees(tmp_path, case):
    if NPX is None:
        print('\n*** test_trainer: npx not found: the comparison with the app CPU reference is SKIPPED ***', file=sys.stderr)
        pytest.skip('npx not found: cannot run the app CPU reference (npx tsx src/cli/main.ts eval)')
    m = tiny(table=case != 'dp-only', seed=5)
    coord, box, atype = config(None if case == 'zbl-far-nopbc' else 1.1)
    if case == 'zbl-far-nopbc':
        box = None
    p = tmp_path / 'model.json'
    export.save(m, str(p))
    out = run(m, coord, box, atype)
    ts = ts_eval(p, coord, box, atype, tmp_path)
    dE = abs(ts['energy'] - float(out['energy']))
    dF = np.abs(np.array(ts['force']) - out['force'].detach().numpy().reshape(-1)).max()
    dW = np.abs(np.array(ts['virial']) - out['virial'].detach().numpy().reshape(-1)).max()
    print(f'{case}: E {float(out["energy"]):.10f}  |dE| {dE:.2e}  max|dF| {dF:.2e}  max|dW| {dW:.2e}  max|F| {np.abs(ts["force"]).max():.3f}')
    assert dE < 1e-8 and dF < 1e-8 and dW < 1e-8


@pytest.mark.skipif(not os.path.isdir(DATA), reason='no training/data')
def test_few_training_steps_decrease_loss():
    from trainer.data import energy_bias, read_dataset
    from trainer.loss import LRConfig
    from trainer.train import TrainConfig, batch_loss, train
    frames = [f for f in read_dataset(DATA, ['Mo', 'S']) if f.category in ('monolayer', 'bulk', 'vacancy', 'hot', 'substitution')]
    assert len(frames) >= 5
    cfg = ModelConfig(type_map=['Mo', 'S'], rcut=4.0, rcut_smth=0.5, sel=[20, 40], neuron=[4, 8, 16], axis_neuron=4,
                      fitting_neuron=[16, 16], seed=1)
    m = DPModel(cfg, PairTable.from_file(TABLE, cfg.rcut))
    # the whole set every step (no sampling noise) and a constant lr (decay_steps > steps): same loss function each step
    tc = TrainConfig(lr=LRConfig(start_lr=1e-2, stop_lr=1e-4, decay_steps=10, num_steps=100), batch_size=len(frames), disp_freq=1)
    losses = train(m, frames, tc, steps=5)
    assert all(f.nb.overflow == 0 for f in frames)
    # statistics as DeePMD-kit: the bias reproduces the least-squares fit; dstd floored at 1e-2
    b = energy_bias(frames, 2)
    assert np.allclose(m.out_bias.numpy(), b)
    assert (m.dstd >= 1e-2).all()
    m.train()
    final, _ = batch_loss(m, frames, tc, tc.lr.lr(5))
    print('loss per step', losses, 'after', float(final))
    assert all(b < a for a, b in zip(losses, losses[1:])) and float(final) < losses[-1]



def test_float32_training_follows_float64():
    """--precision float32: the same steps as float64 up to rounding (losses within 1e-4 relative over a few steps, the
    weights after within 1e-4), and the model comes back in float64 for evaluation and export."""
    from trainer.data import read_dataset
    from trainer.loss import LRConfig
    from trainer.train import TrainConfig, train
    frames = [f for f in read_dataset(DATA, ['Mo', 'S']) if f.category in ('monolayer', 'vacancy', 'substitution')][:6]
    cfg = ModelConfig(type_map=['Mo', 'S'], rcut=4.0, rcut_smth=0.5, sel=[20, 40], neuron=[4, 8, 16], axis_neuron=4,
                      fitting_neuron=[16, 16], seed=1)
    runs = {}
    for prec in ('float64', 'float32'):
        m = DPModel(cfg, PairTable.from_file(TABLE, cfg.rcut))
        tc = TrainConfig(lr=LRConfig(start_lr=1e-3, stop_lr=1e-4, decay_steps=10, num_steps=100),
                         batch_size=len(frames), precision=prec)
        runs[prec] = (train(m, frames, tc, steps=4, log=None), m)
    (l64, m64), (l32, m32) = runs['float64'], runs['float32']
    assert m32.dtype == torch.float64 and all(p.dtype == torch.float64 for p in m32.parameters())
    assert np.allclose(l32, l64, rtol=1e-4), (l32, l64)
    assert l32 != l64  # it really ran in single precision
    for (n, a), b in zip(m64.named_parameters(), m32.parameters()):
        assert torch.allclose(a, b, rtol=1e-4, atol=1e-6), n


VEC = os.path.join(ROOT, '..', 'shared', 'deepmd', 'vectors')


@pytest.mark.skipif(not os.path.isdir(VEC), reason='../shared/deepmd/vectors not present')
def test_deepmd_v3_vector():
    """The trainer's model maths on DeePMD-kit's own v3 model and stored outputs (SPEC §9)."""
    m = export.load(os.path.join(VEC, 'models', 'deeppot_dpmodel.json'))
    v = json.load(open(os.path.join(VEC, 'se_e2_a_v3_dpmodel_deeppot_pbc.json')))
    out = run(m, np.array(v['coord']).reshape(-1, 3), np.array(v['box']).reshape(3, 3), np.array(v['atype']))
    dE = abs(float(out['energy']) - np.ravel(v['expected_energy'])[0])
    dEi = np.abs(out['atom_energy'].detach().numpy() - np.ravel(v['expected_atom_energy'])).max()
    dF = np.abs(out['force'].detach().numpy().ravel() - np.ravel(v['expected_force'])).max()
    dW = np.abs(out['virial'].detach().numpy().ravel() - np.ravel(v['expected_virial'])).max()
    print(f'DeePMD-kit v3 vector: |dE| {dE:.1e}  |dE_i| {dEi:.1e}  |dF| {dF:.1e}  |dW| {dW:.1e}')
    assert dE < 1e-10 and dEi < 1e-10 and dF < 1e-10 and dW < 1e-10


@pytest.mark.skipif(not os.path.isdir(DATA), reason='no training/data')
def test_bias_placement_with_isolated_atoms():
    """out_bias = isolated-atom energies (the zero of the table), bias_atom_e = least-squares fit - atoms."""
    from trainer.data import energy_bias, isolated_atom_energies, prepare, read_dataset
    frames = read_dataset(DATA, ['Mo', 'S'])
    e = isolated_atom_energies(frames, 2)
    assert e is not None
    condensed = [f for f in frames if f.category not in ('atom', 'dimer')]
    m = tiny()
    prepare(m, condensed, condensed, e)
    b = energy_bias(condensed, 2)
    assert np.allclose(m.out_bias.numpy(), e) and np.allclose((m.out_bias + m.bias_atom_e).numpy(), b)


def test_loss_schedules_and_relative_force():
    from trainer.loss import LossConfig, LRConfig, frame_loss, prefactors
    lr = LRConfig(start_lr=1e-3, stop_lr=1e-7, decay_steps=10, num_steps=1000)
    assert lr.lr(0) == 1e-3 and lr.lr(9) == 1e-3 and abs(lr.lr(1000) / 1e-7 - 1) < 1e-9
    assert lr.warmup(0) == 1.0  # no warm-up by default
    w = LRConfig(start_lr=1e-3, stop_lr=1e-7, decay_steps=10, num_steps=1000, warmup_steps=4)
    assert [w.warmup(k) for k in range(6)] == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0] and w.lr(3) == lr.lr(3)
    c = LossConfig(start_pref_e=0.02, limit_pref_e=1, start_pref_f=1000, limit_pref_f=1, start_pref_v=0, limit_pref_v=0)
    assert np.allclose(prefactors(c, 1e-3, 1e-3), (0.02, 1000.0, 0.0), rtol=1e-12, atol=0)
    assert prefactors(c, 0.0, 1e-3) == (1.0, 1.0, 0.0)
    F = torch.tensor([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0]], dtype=DTYPE)  # |F| = 5 and 0
    pred = {'energy': torch.tensor(2.0, dtype=DTYPE), 'force': F + 1.0, 'virial': torch.zeros(3, 3, dtype=DTYPE)}
    l, _ = frame_loss(c, (0.5, 2.0, 0.0), pred, 0.0, F, None, 2)
    assert abs(float(l) - (0.5 / 2 * 4 + 2.0 * 1.0)) < 1e-12
    c.relative_f = 1.0  # residual / (|F| + 1): 1/6 on atom 0, 1 on atom 1
    l, _ = frame_loss(c, (0.0, 2.0, 0.0), pred, 0.0, F, None, 2)
    assert abs(float(l) - 2.0 * (3 / 36 + 3) / 6) < 1e-12
    c.relative_f_min_force = 10.0  # configuration below the threshold: plain force error
    l, _ = frame_loss(c, (0.0, 2.0, 0.0), pred, 0.0, F, None, 2)
    assert abs(float(l) - 2.0) < 1e-12


def test_relative_energy_of_high_force_frames():
    """relative_e: the energy and virial residuals of a frame under the relative force error are divided by
    (1 + |E - E_ref|/N / relative_e); a frame below the force threshold, and the reported RMSEs, are unchanged."""
    from trainer.loss import LossConfig, batch_loss
    F = torch.tensor([[3.0, 4.0, 0.0], [0.0, 0.0, 0.0], [0.1, 0.0, 0.0], [0.0, 0.0, 0.0]], dtype=DTYPE)  # 2 frames
    frame = torch.tensor([0, 0, 1, 1])
    energy = torch.tensor([10.0, -14.0], dtype=DTYPE)     # frame 0: 12 eV/atom above E_ref, frame 1: at E_ref
    energy_ref = torch.tensor([-14.0, -14.0], dtype=DTYPE)
    W = torch.zeros(2, 3, 3, dtype=DTYPE)
    pred = {'energy': energy + torch.tensor([2.0, 2.0], dtype=DTYPE), 'force': F.clone(), 'virial': W + 1.0}
    c = LossConfig(relative_f=1.0, relative_f_min_force=1.0, energy_weight='atoms')
    args = (pred, energy, F, W, torch.tensor([2, 2]), frame)
    plain, info0 = batch_loss(c, (1.0, 0.0, 1.0), *args)
    c.relative_e = 3.0                                      # frame 0: scale 1 + 12/3 = 5
    rel, info1 = batch_loss(c, (1.0, 0.0, 1.0), *args, energy_ref)
    per_frame = lambda s: 1 / 2 * (2 / s) ** 2 + 1 / 2 * (1 / s) ** 2   # energy 2 eV over N = 2, virial 1 per element
    assert abs(float(plain) - (per_frame(1) + per_frame(1)) / 2) < 1e-12
    assert abs(float(rel) - (per_frame(5) + per_frame(1)) / 2) < 1e-12
    assert info0 == info1
    # without a reference energy the term is left alone
    assert abs(float(batch_loss(c, (1.0, 0.0, 1.0), *args)[0]) - float(plain)) < 1e-12


def test_train_sets_the_reference_energy_for_relative_e(tmp_path):
    """train() gives every frame its composition's energy at the fitted per-type bias when relative_e is on."""
    import train as T
    from trainer.data import split
    out = str(tmp_path / 'r')
    T.main(['--tiny', '--steps', '2', '--relative-e', '1', '--out', out, '--threads', '1'])
    prov = json.load(open(out + '.json'))['dptab_training']
    assert prov['options']['relative_e'] == 1.0
    from trainer import export
    m = export.load(out + '.json')
    frames = T.fitted_frames(os.path.join(TRAIN, 'data'), ['Mo', 'S'])
    from trainer.train import TrainConfig, train
    from trainer.loss import LossConfig
    few = split(frames, 0.1, never={'atom'})[0][:3]
    train(m, few, TrainConfig(loss=LossConfig(relative_f=1.0, relative_e=1.0)), steps=1, log=None, stat=False)
    per_type = (m.bias_atom_e + m.out_bias).detach().numpy()
    assert all(abs(f.energy_ref - per_type[f.atype].sum()) < 1e-9 for f in few)


def test_energy_weight_of_frames_of_different_sizes():
    """'atoms' (DeePMD-kit): a frame's energy term is N x its squared per-atom error; 'frames': mean(N) x it, the
    same for every frame."""
    from trainer.loss import LossConfig, batch_loss
    nat = torch.tensor([3, 30])
    frame = torch.cat([torch.zeros(3, dtype=torch.long), torch.ones(30, dtype=torch.long)])
    F = torch.zeros(33, 3, dtype=DTYPE)
    e_dft = torch.tensor([-21.0, -210.0], dtype=DTYPE)
    pred = {'energy': e_dft + 0.01 * nat.to(DTYPE), 'force': F}  # 10 meV/atom off in both
    terms = {}
    for w in ('atoms', 'frames'):
        c = LossConfig(energy_weight=w)
        l, info = batch_loss(c, (1.0, 0.0, 0.0), pred, e_dft, F, None, nat, frame)
        terms[w] = float(l)
        assert abs(info['rmse_e_atom'] - 0.01) < 1e-12
    assert abs(terms['atoms'] - (3 + 30) / 2 * 1e-4) < 1e-15
    assert abs(terms['frames'] - 16.5 * 1e-4) < 1e-15
    # the 3-atom frame alone: 3 x 1e-4 for 'atoms', 16.5 x 1e-4 for 'frames' (5.5 times the weight)
    l3, _ = batch_loss(LossConfig(energy_weight='frames'), (1.0, 0.0, 0.0), pred, e_dft + torch.tensor([0.0, 0.3]), F,
                       None, nat, frame)
    assert abs(float(l3) - 16.5 * 1e-4 / 2) < 1e-15


def test_batched_frames_equal_single_frames():
    """forward_frames on frames side by side (different cells, one without a cell) = each frame alone; and the
    batched loss of one frame = frame_loss."""
    from trainer.data import Frame
    from trainer.loss import LossConfig, frame_loss
    from trainer.train import make_batch, predict
    m = tiny()
    frames = []
    for k, close in enumerate([None, 1.1, 1.6]):
        coord, box, atype = config(close)
        box = None if k == 2 else box * (1 + 0.03 * k)
        f = Frame('s', 'c', coord, box, atype, -20.0 + k, np.ones_like(coord) * k, None if box is None else np.eye(3))
        f.nb = m.neighbors(f.coord, f.box, f.atype)
        frames.append(f)
    b = make_batch(frames)
    out = predict(m, b)
    for k, f in enumerate(frames):
        one = run(m, f.coord, f.box, f.atype)
        sel = (b.frame == k).numpy()
        assert abs(float(out['energy'][k] - one['energy'])) < 1e-10
        assert np.allclose(out['force'].detach().numpy()[sel], one['force'].detach().numpy(), atol=1e-10, rtol=0)
        assert np.allclose(out['virial'][k].detach().numpy(), one['virial'].detach().numpy(), atol=1e-10, rtol=0)
    c = LossConfig(relative_f=1.0, relative_f_min_force=0.5)
    f = frames[1]
    one = run(m, f.coord, f.box, f.atype)
    l1, _ = frame_loss(c, (0.3, 2.0, 0.7), one, f.energy, torch.as_tensor(f.force), torch.as_tensor(f.virial), f.natoms)
    de, nat = float(one['energy']) - f.energy, f.natoms
    fd = torch.as_tensor(f.force)
    df = ((one['force'] - fd) ** 2).sum(1) / (fd.norm(dim=1) + 1.0) ** 2
    dv = ((one['virial'] - torch.as_tensor(f.virial)) ** 2).mean()
    assert abs(float(l1) - (0.3 / nat * de * de + 2.0 * float(df.sum()) / (3 * nat) + 0.7 / nat * float(dv))) < 1e-9


def test_real_slots_only_equals_every_slot():
    """The embedding over real slots plus the closed-form padding term = the plain sum over every slot."""
    m = tiny()
    coord, box, atype = config(1.3)
    nb = m.neighbors(coord, box, atype)
    t = lambda a: torch.tensor(a, dtype=DTYPE)
    R, _, _ = m.env_matrix(t(coord), t(box), torch.tensor(atype), nb)
    assert (torch.as_tensor(nb.slots) < 0).any() and (torch.as_tensor(nb.slots) >= 0).any()
    e_real = m.atomic_dp(R, torch.tensor(atype), torch.as_tensor(nb.slots) >= 0)
    e_all = m.atomic_dp(R, torch.tensor(atype), None)
    assert torch.allclose(e_real, e_all, atol=1e-12, rtol=0)


@pytest.mark.skipif(not os.path.isdir(DATA), reason='no training/data')
def test_checkpoint_resume_continues_the_same_run(tmp_path):
    """A run stopped after some steps and resumed from its checkpoint ends exactly where an uninterrupted run ends
    (model, optimiser and batch sampling restored); a checkpoint of other settings is not used."""
    import torch
    from trainer.data import read_dataset
    from trainer.loss import LRConfig
    from trainer.train import TrainConfig, train
    frames = [f for f in read_dataset(DATA, ['Mo', 'S']) if f.category in ('monolayer', 'bulk')][:6]
    cfg = ModelConfig(type_map=['Mo', 'S'], rcut=4.0, rcut_smth=0.5, sel=[20, 40], neuron=[4, 8], axis_neuron=2,
                      fitting_neuron=[8], seed=2)
    # batches of 2 of the 6 frames: the sampling order has to be restored too
    tc = TrainConfig(lr=LRConfig(start_lr=1e-2, stop_lr=1e-4, decay_steps=2, num_steps=8), batch_size=2, seed=5)
    ref = DPModel(cfg, None)
    ref_losses = train(ref, frames, tc, steps=8, log=None)

    ck = str(tmp_path / 'run.ckpt.pt')
    stopped = DPModel(cfg, None)
    with pytest.raises(KeyboardInterrupt):
        def stop_after_5(msg, n=[0]):
            n[0] += 1
            if n[0] > 5:
                raise KeyboardInterrupt
        # checkpoint_seconds=0: a checkpoint after every step; the log call of step 5 interrupts before step 5 runs
        tc5 = TrainConfig(lr=tc.lr, batch_size=2, seed=5, disp_freq=1)
        train(stopped, frames, tc5, steps=8, log=stop_after_5, checkpoint=ck, checkpoint_seconds=0)
    saved = torch.load(ck, weights_only=False)
    assert 0 < saved['step'] < 8
    resumed = DPModel(cfg, None)
    msgs = []
    losses = train(resumed, frames, tc5, steps=8, log=msgs.append, checkpoint=ck, checkpoint_seconds=0)
    assert msgs[0].startswith('resumed from') and f"at step {saved['step']}" in msgs[0]
    assert np.allclose(losses, ref_losses, rtol=1e-12, atol=0)
    for a, b in zip(ref.state_dict().values(), resumed.state_dict().values()):
        assert torch.equal(a, b)
    # another run length: resumed, on the new length's learning-rate schedule
    msgs.clear()
    train(DPModel(cfg, None), frames, tc5, steps=9, log=msgs.append, checkpoint=ck, checkpoint_seconds=0)
    assert msgs[0].startswith('resumed from') and 'at step 8 of 9' in msgs[0] and 'instead of 8' in msgs[0]
    # the device is not part of the run's identity: a checkpoint written on a GPU resumes here and the other way round
    from trainer.train import fingerprint
    assert fingerprint(ref, frames, tc5) == fingerprint(ref, frames, dataclasses.replace(tc5, device='cuda'))
    # other settings (another seed): the checkpoint is ignored and the run starts afresh
    msgs.clear()
    train(DPModel(cfg, None), frames, TrainConfig(lr=tc.lr, batch_size=2, seed=6, disp_freq=1), steps=9,
          log=msgs.append, checkpoint=ck, checkpoint_seconds=0)
    assert 'starting afresh' in msgs[0]


def test_thread_limit_from_argv(monkeypatch):
    """--threads N reaches the BLAS pool through the environment (set before numpy/torch load); set values win."""
    from trainer.threads import limit_from_argv
    for v in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'):
        monkeypatch.delenv(v, raising=False)
    limit_from_argv(['train.py', '--out', 'x', '--threads', '1'])
    assert os.environ['OPENBLAS_NUM_THREADS'] == '1' and os.environ['OMP_NUM_THREADS'] == '1'
    monkeypatch.setenv('OPENBLAS_NUM_THREADS', '4')
    monkeypatch.delenv('MKL_NUM_THREADS')
    limit_from_argv(['report.py', '--threads=2'], default=1)
    assert os.environ['OPENBLAS_NUM_THREADS'] == '4' and os.environ['MKL_NUM_THREADS'] == '2'
    monkeypatch.delenv('MKL_NUM_THREADS')
    limit_from_argv(['train.py'])  # no --threads, no default: untouched
    assert 'MKL_NUM_THREADS' not in os.environ


@pytest.mark.skipif(not os.path.isdir(DATA), reason='no training/data')
def test_init_model_continues_an_exported_model(tmp_path):
    """train.py --init-model: zero steps from an exported model reproduce its held-out figures exactly (weights,
    statistics, bias carried over, not recomputed), and the start is recorded in the provenance."""
    import train as T
    out1, out2 = str(tmp_path / 'a'), str(tmp_path / 'b')
    T.main(['--tiny', '--steps', '3', '--out', out1, '--threads', '1'])
    T.main(['--init-model', out1 + '.json', '--steps', '0', '--out', out2, '--threads', '1'])
    m1, m2 = (json.load(open(o + '.metrics.json')) for o in (out1, out2))
    assert m1['by_category'] == m2['by_category'] and m1['train_by_category'] == m2['train_by_category']
    prov = json.load(open(out2 + '.json'))['dptab_training']
    assert prov['init_model']['file'] == 'a.json' and len(prov['init_model']['sha256']) == 64
    # every option is recorded as resolved, defaults included
    assert prov['options']['steps'] == 0 and prov['options']['energy_weight'] in ('atoms', 'frames')
    import yaml
    assert yaml.safe_load(open(out2 + '.yaml'))['dptab_training']['options'] == prov['options']
    # the start model's provenance travels along: a chain of fine-tunes keeps its whole history
    assert prov['init_model']['provenance']['steps'] == 3 and 'init_model' not in prov['init_model']['provenance']
    assert prov['steps'] == 0 and prov['total_steps'] == 3


@pytest.mark.skipif(not os.path.isdir(DATA), reason='no training/data')
def test_zero_steps_with_a_rebuilt_table_retables_a_model(tmp_path):
    """A rebuilt pair table goes into trained models by --init-model M --steps 0 --table NEW: the new table replaces
    the old one in the export (and its sha256 is recorded), and every fitted frame's figures stay exactly the same,
    because no fitted frame has an atom within the blend window (w = 0), so the table never enters the fit."""
    import train as T
    from trainer.export import file_sha256
    rows = np.loadtxt(TABLE)
    rows[:, 1:] *= 1.5  # another table, same grid
    new_table = str(tmp_path / 'new.txt')
    np.savetxt(new_table, rows)
    out1, out2 = str(tmp_path / 'a'), str(tmp_path / 'b')
    T.main(['--tiny', '--steps', '2', '--out', out1, '--threads', '1'])
    T.main(['--init-model', out1 + '.json', '--steps', '0', '--table', new_table, '--out', out2, '--threads', '1'])
    m1, m2 = (json.load(open(o + '.metrics.json')) for o in (out1, out2))
    assert m1['by_category'] == m2['by_category'] and m1['train_by_category'] == m2['train_by_category']
    d1, d2 = (json.load(open(o + '.json')) for o in (out1, out2))
    tab = lambda d: np.asarray(d['model']['models'][1]['tab']['@variables']['tab_data']['value'])
    assert not np.allclose(tab(d1), tab(d2))
    assert d2['dptab_training']['table_sha256'] == file_sha256(new_table) != d1['dptab_training']['table_sha256']


def test_near_equilibrium_needs_rest_bonds():
    """A uniformly strained 3-atom monolayer has no forces (symmetry) but is not near equilibrium: the Mo-S bond
    and Mo-Mo tests catch it; rattling does not move the measure (mean distance of the six nearest)."""
    from trainer.data import Frame
    from trainer.train import near_equilibrium, D_MOS
    a, dz = 3.1855, 1.5632
    box0 = np.array([[a, 0, 0], [a / 2, a * 3 ** 0.5 / 2, 0], [0, 0, 20.0]])
    coord0 = np.array([[0, 0, 10.0], [a / 2, a / (2 * 3 ** 0.5), 10 + dz], [a / 2, a / (2 * 3 ** 0.5), 10 - dz]])
    atype = np.array([0, 1, 1])

    def frame(s, rattle=0.0, cat='monolayer'):
        rng = np.random.default_rng(0)
        c = coord0 * [s, s, 1] + [0, 0, 0] + rng.normal(0, rattle, coord0.shape)
        c[:, 2] = 10 + (c[:, 2] - 10) * s
        return Frame('s', cat, c, box0 * [s, s, 1], atype, -20.0, np.zeros((3, 3)), None)

    assert frame(1.0).shell_distance(0, 1) == pytest.approx(D_MOS, rel=2e-3)
    assert frame(1.3).shell_distance(0, 1) == pytest.approx(1.3 * D_MOS, rel=2e-3)
    assert frame(1.0).shell_distance(0, 0) == pytest.approx(a)      # the six periodic images of the one Mo
    assert near_equilibrium(frame(1.0)) and near_equilibrium(frame(1.02, rattle=0.05))
    assert not near_equilibrium(frame(1.3)) and not near_equilibrium(frame(0.9))
    assert not near_equilibrium(frame(1.0, cat='hot'))
    # compressed in-plane to 0.8 but thickened so that the Mo-S bonds keep their length: the Mo-Mo test catches it
    thick = frame(0.8)
    thick.coord[:, 2] = 10 + (coord0[:, 2] - 10) * np.sqrt(D_MOS ** 2 - (0.8 * a / 3 ** 0.5) ** 2) / dz
    assert thick.shell_distance(0, 1) == pytest.approx(D_MOS, rel=1e-3) and not near_equilibrium(thick)
    # the type map decides which type is Mo
    swapped = frame(1.0)
    swapped.atype = 1 - swapped.atype
    assert near_equilibrium(swapped, ('S', 'Mo')) and swapped.shell_distance(0, 1) != pytest.approx(D_MOS, rel=0.05)
    # no periodic images and a single Mo: no Mo-Mo shell, so not near equilibrium
    lone = Frame('s', 'monolayer', coord0, None, atype, -20.0, np.zeros((3, 3)), None)
    assert lone.shell_distance(0, 0) is None and not near_equilibrium(lone)
    # oversampling: a near-equilibrium frame enters each epoch near_eq_repeat times, the others once
    from trainer.train import epoch_pool
    frames = [frame(1.0), frame(1.3), frame(1.0, cat='hot'), frame(1.01, rattle=0.03)]
    assert epoch_pool(frames, 1) == [0, 1, 2, 3]
    assert epoch_pool(frames, 3) == [0, 0, 0, 1, 2, 3, 3, 3]
