"""DPModel <-> DeePMD-kit v3 serialised model dict (.json / .yaml), the schema of
../shared/deepmd/vectors/models/deeppot_dpmodel.yaml and src/model/v3/write.ts.

With a pair table the model is a v3 "zbl" linear model: models = [standard DP dict, pairtab dict]; the per-type energy
bias goes into the zbl model's out_bias (added unweighted), the DP sub-model keeps the fitting's bias_atom_e and a zero
out_bias (sub-models' out_bias are not applied inside the linear model).  Without a table it is a "standard" model.
"""
from __future__ import annotations

import datetime
import hashlib
import json

import numpy as np
import torch

from .model import DPModel, ModelConfig, PairTable


def ndarray(a) -> dict:
    a = np.asarray(a, dtype=np.float64)
    return {'@class': 'np.ndarray', '@is_variable': True, '@version': 1, 'dtype': 'float64', 'value': a.tolist()}


def _arr(v) -> np.ndarray | None:
    if v is None:
        return None
    if isinstance(v, dict):
        return np.asarray(v['value'], dtype=np.float64)
    return np.asarray(v, dtype=np.float64)


def _np(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype(np.float64)


def _layer(l, final: bool = False) -> dict:
    return {
        '@class': 'Layer', '@version': 1, 'bias': True, 'use_timestep': l.idt is not None,
        'activation_function': l.activation, 'resnet': not final, 'precision': 'float64',
        '@variables': {'w': ndarray(_np(l.w)), 'b': ndarray(_np(l.b)), 'idt': ndarray(_np(l.idt)) if l.idt is not None else None},
    }


def _standard(m: DPModel, out_bias: np.ndarray) -> dict:
    c, nt = m.cfg, m.ntypes
    ones = np.ones((1, nt, 1))
    emb = [{
        '@class': 'EmbeddingNetwork', '@version': 2, 'in_dim': 1, 'neuron': list(c.neuron), 'activation_function': 'tanh',
        'resnet_dt': c.resnet_dt_embedding, 'precision': 'float64', 'bias': True, 'layers': [_layer(l) for l in net.layers],
    } for net in m.embeddings]
    fit = [{
        '@class': 'FittingNetwork', '@version': 1, 'in_dim': m.dim_descrpt, 'out_dim': 1, 'neuron': list(c.fitting_neuron),
        'activation_function': 'tanh', 'resnet_dt': c.resnet_dt_fitting, 'precision': 'float64', 'bias_out': True,
        'layers': [_layer(l, k == len(net.layers) - 1) for k, l in enumerate(net.layers)],
    } for net in m.fittings]
    return {
        '@class': 'Model', 'type': 'standard', '@version': 2, 'type_map': list(c.type_map), 'atom_exclude_types': [],
        'pair_exclude_types': [], 'rcond': None, 'preset_out_bias': None,
        '@variables': {'out_bias': ndarray(np.asarray(out_bias).reshape(1, nt, 1)), 'out_std': ndarray(ones)},
        'descriptor': {
            '@class': 'Descriptor', 'type': 'se_e2_a', '@version': 2, 'rcut': c.rcut, 'rcut_smth': c.rcut_smth, 'sel': list(c.sel),
            'neuron': list(c.neuron), 'axis_neuron': c.axis_neuron, 'resnet_dt': c.resnet_dt_embedding, 'trainable': True,
            'type_one_side': False, 'exclude_types': [], 'env_protection': 0.0, 'set_davg_zero': False,
            'activation_function': 'tanh', 'precision': 'float64', 'type_map': list(c.type_map), 'spin': None,
            'env_mat': {'rcut': c.rcut, 'rcut_smth': c.rcut_smth},
            '@variables': {'davg': ndarray(_np(m.davg)), 'dstd': ndarray(_np(m.dstd))},
            'embeddings': {'@class': 'NetworkCollection', '@version': 1, 'ndim': 2, 'ntypes': nt,
                           'network_type': 'embedding_network', 'networks': emb},
        },
        'fitting': {
            '@class': 'Fitting', 'type': 'ener', '@version': 2, 'var_name': 'energy', 'ntypes': nt,
            'dim_descrpt': m.dim_descrpt, 'dim_out': 1, 'neuron': list(c.fitting_neuron), 'resnet_dt': c.resnet_dt_fitting,
            'numb_fparam': 0, 'numb_aparam': 0, 'rcond': None, 'activation_function': 'tanh', 'precision': 'float64',
            'mixed_types': False, 'exclude_types': [], 'atom_ener': [], 'tot_ener_zero': False, 'trainable': True,
            'layer_name': None, 'use_aparam_as_mask': False, 'spin': None, 'type_map': list(c.type_map),
            '@variables': {'bias_atom_e': ndarray(_np(m.bias_atom_e).reshape(nt, 1)), 'fparam_avg': None,
                           'fparam_inv_std': None, 'aparam_avg': None, 'aparam_inv_std': None},
            'nets': {'@class': 'NetworkCollection', '@version': 1, 'ndim': 1, 'ntypes': nt,
                     'network_type': 'fitting_network', 'networks': fit},
        },
    }


def model_to_dict(m: DPModel) -> dict:
    c, nt = m.cfg, m.ntypes
    zeros, ones = np.zeros(nt), np.ones((1, nt, 1))
    def_script = {
        'type_map': list(c.type_map),
        'descriptor': {'type': 'se_e2_a', 'sel': list(c.sel), 'rcut': c.rcut, 'rcut_smth': c.rcut_smth, 'neuron': list(c.neuron),
                       'axis_neuron': c.axis_neuron, 'type_one_side': False, 'resnet_dt': c.resnet_dt_embedding,
                       'activation_function': 'tanh', 'seed': c.seed},
        'fitting_net': {'type': 'ener', 'neuron': list(c.fitting_neuron), 'resnet_dt': c.resnet_dt_fitting, 'seed': c.seed},
    }
    t = m.table
    if t is None:
        model = _standard(m, _np(m.out_bias))
    else:
        pairtab = {
            '@class': 'Model', 'type': 'pairtab', '@version': 2, 'type_map': list(c.type_map), 'atom_exclude_types': [],
            'pair_exclude_types': [], 'rcond': None, 'preset_out_bias': None, 'rcut': c.rcut, 'sel': m.nnei,
            '@variables': {'out_bias': ndarray(zeros.reshape(1, nt, 1)), 'out_std': ndarray(ones)},
            'tab': {
                '@class': 'PairTab', '@version': 1, 'rmin': t.rmin, 'rmax': float(t.vdata[-1, 0]), 'hh': t.h, 'ntypes': nt,
                'rcut': t.rcut, 'nspline': t.nspline,
                '@variables': {'vdata': ndarray(t.vdata), 'tab_info': ndarray([t.rmin, t.h, t.nspline, nt]), 'tab_data': ndarray(t.data)},
            },
        }
        model = {
            '@class': 'Model', 'type': 'zbl', '@version': 2, 'type_map': list(c.type_map), 'atom_exclude_types': [],
            'pair_exclude_types': [], 'rcond': None, 'preset_out_bias': None,
            'sw_rmin': c.sw_rmin, 'sw_rmax': c.sw_rmax, 'smin_alpha': c.smin_alpha,
            '@variables': {'out_bias': ndarray(_np(m.out_bias).reshape(1, nt, 1)), 'out_std': ndarray(ones)},
            'models': [_standard(m, zeros), pairtab],
        }
        def_script.update({'use_srtab': 'pair_table.txt', 'sw_rmin': c.sw_rmin, 'sw_rmax': c.sw_rmax, 'smin_alpha': c.smin_alpha})
    return {'backend': 'dpmodel', 'model': model, 'model_def_script': def_script, 'software': 'deepmd-kit',
            'version': '3.0.0', 'time': datetime.datetime.now(datetime.timezone.utc).isoformat()}


def save(m: DPModel, path: str, extra: dict | None = None) -> None:
    """Writes the v3 dict; `extra`: further top-level keys (e.g. training provenance), which DeePMD-kit ignores."""
    d = {**model_to_dict(m), **(extra or {})}
    with open(path, 'w') as f:
        if path.endswith('.json'):
            json.dump(d, f)  # repr floats: float64 round-trips
        else:
            yaml_dump(d, f)


def yaml_dump(d: dict, f) -> None:
    """YAML with every innermost list of numbers in flow style ([a, b, ...] on one line): the same document as
    block style, half the bytes (one number per line with deep indentation doubles a model's file)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        pass

    def rep_list(dumper, data):
        flow = len(data) > 0 and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in data)
        return dumper.represent_sequence('tag:yaml.org,2002:seq', data, flow_style=flow)

    Dumper.add_representer(list, rep_list)
    yaml.dump(d, f, Dumper=Dumper, sort_keys=False, width=1 << 30)


def read_model_dict(path: str) -> dict:
    """The exported dict (.json, or .yaml through libyaml's C loader when present: a full-size model ~13 s instead
    of ~75 s with the pure-Python loader)."""
    with open(path) as f:
        if path.endswith('.json'):
            return json.load(f)
        import yaml
        return yaml.load(f, Loader=getattr(yaml, 'CSafeLoader', yaml.SafeLoader))


def load(path: str) -> DPModel:
    return dict_to_model(read_model_dict(path))


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            h.update(block)
    return h.hexdigest()


def _load_net(net_mod, net_dict):
    for l, ld in zip(net_mod.layers, net_dict['layers'], strict=True):
        v = ld['@variables']
        l.w.data.copy_(torch.as_tensor(_arr(v['w'])).reshape(l.w.shape))
        l.b.data.copy_(torch.as_tensor(_arr(v['b'])).reshape(l.b.shape))
        idt = _arr(v.get('idt'))
        if idt is None:
            l.idt = None  # e.g. layer 0 of TF-converted fitting nets
        else:
            l.idt = torch.nn.Parameter(torch.as_tensor(idt).reshape(l.nout).clone())


def dict_to_model(d: dict) -> DPModel:
    md = d.get('model', d)
    table, out_bias, blend = None, None, {}
    if md['type'] == 'zbl':
        dp = next(x for x in md['models'] if x['type'] == 'standard')
        pt = next(x for x in md['models'] if x['type'] == 'pairtab')
        tv = pt['tab']['@variables']
        info = _arr(tv['tab_info'])
        nt = int(round(info[3]))
        table = PairTable(float(info[0]), float(info[1]), int(round(info[2])), nt, _arr(tv['tab_data']).reshape(-1),
                          float(pt.get('rcut', pt['tab']['rcut'])), _arr(tv['vdata']))
        out_bias = _arr(md['@variables']['out_bias']).reshape(-1)
        blend = {'sw_rmin': md['sw_rmin'], 'sw_rmax': md['sw_rmax'], 'smin_alpha': md.get('smin_alpha', 0.1)}
    elif md['type'] == 'standard':
        dp = md
        out_bias = _arr(md['@variables']['out_bias']).reshape(-1)
    else:
        raise ValueError(f"model type {md['type']} is not supported by the trainer")
    ds, ft = dp['descriptor'], dp['fitting']
    assert ds['type'] in ('se_e2_a', 'se_a') and not ds.get('type_one_side'), 'trainer reads two-sided se_e2_a only'
    emb_nets = ds['embeddings']['networks']
    fit_nets = ft['nets']['networks']
    cfg = ModelConfig(
        type_map=list(dp['type_map']), rcut=float(ds['rcut']), rcut_smth=float(ds['rcut_smth']), sel=list(ds['sel']),
        neuron=list(ds['neuron']), axis_neuron=int(ds['axis_neuron']), fitting_neuron=list(ft['neuron']),
        resnet_dt_embedding=bool(ds.get('resnet_dt', False)), resnet_dt_fitting=bool(ft.get('resnet_dt', True)),
        seed=int(d.get('model_def_script', {}).get('descriptor', {}).get('seed', 1)), **blend)
    m = DPModel(cfg, table)
    for k, net in enumerate(emb_nets):
        _load_net(m.embeddings[k], net)
    for k, net in enumerate(fit_nets):
        _load_net(m.fittings[k], net)
    dv = ds['@variables']
    m.set_stat(_arr(dv['davg']).reshape(m.davg.shape), _arr(dv['dstd']).reshape(m.dstd.shape))
    m.bias_atom_e.copy_(torch.as_tensor(_arr(ft['@variables']['bias_atom_e']).reshape(-1)))
    m.out_bias.copy_(torch.as_tensor(out_bias))
    return m
