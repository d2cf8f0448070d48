import { describe, expect, it } from 'vitest';
import { decodeTrajectory, encodeFrame, encodeHeader, encodeTrajectory, frameFromState, trajectoryOf, type Trajectory } from '../../src/export/trajectory.ts';
import { runCascade } from '../../src/md/cascade.ts';
import { SwZblPotential } from '../../src/potential/classical/sw.ts';
import { sampleTrajectory } from './fixtures.ts';

describe('binary trajectory (DPTJ)', () => {
  it('round-trips exactly in float64', () => {
    const t = sampleTrajectory();
    const d = decodeTrajectory(encodeTrajectory(t, 'float64'));
    expect(d.truncated).toBe(false);
    expect(d.precision).toBe('float64');
    expect(d.species).toEqual(t.species);
    expect(Array.from(d.atype)).toEqual(Array.from(t.atype));
    expect(Array.from(d.masses)).toEqual(Array.from(t.masses));
    expect(Array.from(d.cell)).toEqual(Array.from(t.cell));
    expect(d.pbc).toEqual(t.pbc);
    expect(d.meta).toEqual(t.meta);
    expect(d.frames.length).toBe(3);
    for (let k = 0; k < 3; k++) {
      expect(d.frames[k].step).toBe(t.frames[k].step);
      expect(d.frames[k].time).toBe(t.frames[k].time);
      expect(Array.from(d.frames[k].coord)).toEqual(Array.from(t.frames[k].coord));
      expect(Array.from(d.frames[k].vel!)).toEqual(Array.from(t.frames[k].vel!));
      expect(d.frames[k].energies).toEqual(t.frames[k].energies);
    }
  });

  it('float32 is half the size and rounds to float32', () => {
    const t = sampleTrajectory(2, false);
    const b32 = encodeTrajectory(t, 'float32'), b64 = encodeTrajectory(t, 'float64');
    expect(b32.length).toBeLessThan(b64.length);
    const d = decodeTrajectory(b32);
    expect(d.precision).toBe('float32');
    expect(d.frames[1].vel).toBeUndefined();
    expect(Array.from(d.frames[1].coord)).toEqual(Array.from(Float32Array.from(t.frames[1].coord)));
    expect(d.frames[1].time).toBe(t.frames[1].time); // step and time stay float64
  });

  it('appending frame by frame equals encoding at once', () => {
    const t = sampleTrajectory();
    const parts = [encodeHeader(t), ...t.frames.map((f) => encodeFrame(f, 4))];
    const joined = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { joined.set(p, o); o += p.length; }
    expect(Array.from(joined)).toEqual(Array.from(encodeTrajectory(t)));
    expect(parts.every((p) => p.length % 8 === 0)).toBe(true);
  });

  it('tolerates a truncated or corrupt last frame and reports where valid data ends', () => {
    const t = sampleTrajectory();
    const full = encodeTrajectory(t);
    const lastLen = encodeFrame(t.frames[2], 4).length;
    for (const cut of [1, 8, 39, 40, lastLen - 1]) {
      const d = decodeTrajectory(full.subarray(0, full.length - cut));
      expect(d.frames.length).toBe(2);
      expect(d.truncated).toBe(true);
      expect(d.validBytes).toBe(full.length - lastLen);
    }
    // A zero-filled tail (storage extended but not written) and a flipped byte in the last frame.
    const zeroTail = new Uint8Array(full.length + 64);
    zeroTail.set(full);
    expect(decodeTrajectory(zeroTail).frames.length).toBe(3);
    const flipped = Uint8Array.from(full);
    flipped[full.length - 5] ^= 0xff;
    const d = decodeTrajectory(flipped);
    expect(d.frames.length).toBe(2);
    expect(d.truncated).toBe(true);
    // Header only.
    const h = decodeTrajectory(encodeHeader(t));
    expect(h.frames.length).toBe(0);
    expect(h.truncated).toBe(false);
  });

  it('refuses a missing header and mismatched frames', () => {
    expect(() => decodeTrajectory(new Uint8Array(200))).toThrow(/DPTJ/);
    expect(() => decodeTrajectory(encodeHeader(sampleTrajectory()).subarray(0, 100))).toThrow(/truncated/);
    expect(() => encodeFrame({ step: 0, time: 0, coord: new Float64Array(6) }, 4)).toThrow(/2 positions for 4 atoms/);
  });

  it('accepts an ArrayBuffer and a Uint8Array view with an offset', () => {
    const b = encodeTrajectory(sampleTrajectory());
    const big = new Uint8Array(b.length + 16);
    big.set(b, 16);
    expect(decodeTrajectory(big.subarray(16)).frames.length).toBe(3);
    expect(decodeTrajectory(b.slice().buffer).frames.length).toBe(3);
  });
});

describe('trajectory from a run', () => {
  it('trajectoryOf + frameFromState in runCascade onFrame, through the binary format', async () => {
    let traj: Trajectory | null = null;
    const res = await runCascade({
      potential: new SwZblPotential(), nx: 3, ny: 2, lattice: { a: 3.1966, t: 3.1922 }, time: 0.004, frameEvery: 2,
      projectile: { kind: 'ion', species: 'Ar', energy: 100, impact: [4, 3], height: 3 },
      onFrame: (st, setup) => { (traj ??= trajectoryOf(setup, { potential: 'sw' })).frames.push(frameFromState(st)); },
    });
    expect(traj!.frames.length).toBe(Math.floor(res.steps / 2) + 1 + (res.steps % 2 ? 1 : 0));
    const last = traj!.frames[traj!.frames.length - 1];
    expect(last.step).toBe(res.steps);
    expect(last.energies!.total).toBeCloseTo(res.energy[res.energy.length - 1].total, 12);
    const back = decodeTrajectory(encodeTrajectory(traj!, 'float64'));
    expect(Array.from(back.frames[1].coord)).toEqual(Array.from(traj!.frames[1].coord));
    expect(back.species).toEqual(['Mo', 'S', 'Ar']);
    // Frames are copies, not views of the integrator's arrays.
    expect(traj!.frames[0].coord).not.toBe(traj!.frames[1].coord);
    expect(Array.from(traj!.frames[0].coord)).not.toEqual(Array.from(last.coord));
  });
});
