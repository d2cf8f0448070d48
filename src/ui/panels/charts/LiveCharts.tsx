// Energies, sheet temperature and time step against simulated time for the current run.
import { useId } from 'react';
import type uPlot from 'uplot';
import { useApp, type Series } from '../../store';
import { AXIS, UPlotChart, type ChartHandle } from './UPlotChart';

type Pick = (s: Series) => uPlot.AlignedData;

const fs = (s: Series) => s.time.map((t) => 1000 * t);

function follow(pick: Pick) {
  return (h: ChartHandle) => {
    h.setData(pick(useApp.getState().series));
    return useApp.subscribe((s, prev) => {
      if (s.series !== prev.series) h.setData(pick(s.series));
    });
  };
}

function options(yLabel: string, series: uPlot.Series[], log = false): () => Omit<uPlot.Options, 'width' | 'height'> {
  return () => ({
    legend: { show: true, live: false },
    cursor: { show: false },
    scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
    axes: [
      { ...AXIS, label: 'time (fs)', labelSize: 16, size: 32 },
      { ...AXIS, label: yLabel, labelSize: 16, size: 52 },
    ],
    series: [{ label: 't (fs)' }, ...series],
  });
}

const energies: Pick = (s) => {
  const pe0 = s.pe[0] ?? 0, e0 = s.total[0] ?? 0;
  return [fs(s), s.ke, s.pe.map((v) => v - pe0), s.total.map((v) => v - e0)];
};
const temperature: Pick = (s) => [fs(s), s.temperature];
const timestep: Pick = (s) => [fs(s), s.dt.map((v) => 1000 * v)];

export function LiveCharts() {
  const titleId = useId();
  return (
    <section className="panel charts" aria-labelledby={titleId}>
      <h2 id={titleId}>Time series</h2>
      <UPlotChart label="Energies against time" attach={follow(energies)} makeOptions={options('eV', [
        { label: 'KE', stroke: '#f2c14e', width: 1.5 },
        { label: 'PE − PE₀', stroke: '#5aa2ff', width: 1.5 },
        { label: 'E − E₀', stroke: '#ff6b6b', width: 1.5 },
      ])} />
      <UPlotChart label="Sheet temperature against time" height={120} attach={follow(temperature)} makeOptions={options('K', [
        { label: 'T (sheet)', stroke: '#3ecf8e', width: 1.5 },
      ])} />
      <UPlotChart label="Time step against time" height={120} attach={follow(timestep)} makeOptions={options('fs', [
        { label: 'dt', stroke: '#c792ea', width: 1.5 },
      ], true)} />
    </section>
  );
}
