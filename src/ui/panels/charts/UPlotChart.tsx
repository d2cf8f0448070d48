// A uPlot chart that sizes itself to its container and takes new data outside React renders. uPlot draws on a
// canvas and styles its DOM through the CSSOM (no inline <style> or script), so the app's CSP holds.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const AXIS = { stroke: '#8d9ab0', grid: { stroke: '#243044', width: 1 }, ticks: { stroke: '#243044', width: 1 }, font: '11px system-ui, sans-serif' };

export interface ChartHandle {
  setData: (d: uPlot.AlignedData) => void;
}

/**
 * @param makeOptions chart options without width/height (called once).
 * @param attach called with a handle once the chart exists; returns a cleanup (e.g. a store subscription).
 */
export function UPlotChart({ makeOptions, attach, height = 150, label }: {
  makeOptions: () => Omit<uPlot.Options, 'width' | 'height'>;
  attach: (h: ChartHandle) => () => void;
  height?: number;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const opts = makeOptions();
    const empty: uPlot.AlignedData = opts.series.map(() => []) as unknown as uPlot.AlignedData;
    const plot = new uPlot({ ...opts, width: Math.max(100, el.clientWidth), height }, empty, el);
    let pending: uPlot.AlignedData | null = null;
    let raf = 0;
    const handle: ChartHandle = {
      setData: (d) => {
        pending = d;
        if (!raf) {
          raf = requestAnimationFrame(() => {
            raf = 0;
            if (pending) plot.setData(pending);
            pending = null;
          });
        }
      },
    };
    const detach = attach(handle);
    const ro = new ResizeObserver(() => plot.setSize({ width: Math.max(100, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      detach();
      ro.disconnect();
      cancelAnimationFrame(raf);
      plot.destroy();
    };
    // Options and the attachment are fixed for the chart's life.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return <div className="chart" ref={box} role="img" aria-label={label} />;
}
