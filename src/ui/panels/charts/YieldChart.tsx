// Sputtering yield against ion (or PKA) energy with standard-error bars (as the paper's Fig. 7): log energy axis, one
// point per energy, bars drawn on uPlot's canvas in its draw hook.
import type uPlot from 'uplot';
import type { BatchPoint } from '../../../worker/batchProtocol';
import { useBatch } from '../../batch';
import { AXIS, UPlotChart, type ChartHandle } from './UPlotChart';

const COLOR = '#5aa2ff';

function data(points: BatchPoint[]): uPlot.AlignedData {
  const sorted = [...points].sort((a, b) => a.energy - b.energy);
  return [sorted.map((p) => p.energy), sorted.map((p) => p.mean), sorted.map((p) => (Number.isFinite(p.stdError) ? p.stdError : 0))];
}

function errorBars(u: uPlot): void {
  const [xs, ys, es] = u.data as unknown as number[][];
  const ctx = u.ctx;
  ctx.save();
  ctx.strokeStyle = COLOR;
  ctx.lineWidth = 1.5 * devicePixelRatio;
  const cap = 4 * devicePixelRatio;
  for (let i = 0; i < xs.length; i++) {
    if (!es[i]) continue;
    const x = u.valToPos(xs[i], 'x', true);
    const y0 = u.valToPos(ys[i] - es[i], 'y', true), y1 = u.valToPos(ys[i] + es[i], 'y', true);
    ctx.beginPath();
    ctx.moveTo(x, y0); ctx.lineTo(x, y1);
    ctx.moveTo(x - cap, y0); ctx.lineTo(x + cap, y0);
    ctx.moveTo(x - cap, y1); ctx.lineTo(x + cap, y1);
    ctx.stroke();
  }
  ctx.restore();
}

const options = (what: 'ion' | 'PKA') => (): Omit<uPlot.Options, 'width' | 'height'> => ({
  legend: { show: false },
  cursor: { show: false },
  scales: {
    x: { time: false, distr: 3 },
    y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.15)] },
  },
  axes: [
    { ...AXIS, label: `${what} energy (eV)`, labelSize: 16, size: 32 },
    { ...AXIS, label: `yield (atoms/${what})`, labelSize: 16, size: 44 },
  ],
  series: [
    {},
    { label: 'yield', stroke: COLOR, width: 1, paths: () => null, points: { show: true, size: 7, fill: COLOR, stroke: COLOR } },
    { label: 'std error', show: false },
  ],
  hooks: { draw: [errorBars] },
});

function attach(h: ChartHandle) {
  h.setData(data(useBatch.getState().points));
  return useBatch.subscribe((s, prev) => {
    if (s.points !== prev.points) h.setData(data(s.points));
  });
}

export function YieldChart() {
  const what = useBatch((s) => (s.spec.pkaSite ? 'PKA' : 'ion'));
  // keyed: the axis labels are set when the chart is made
  return <UPlotChart key={what} label={`Sputtering yield against ${what} energy, with standard-error bars`} height={170} makeOptions={options(what)} attach={attach} />;
}
