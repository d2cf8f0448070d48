import { Canvas, useThree, type ThreeEvent } from '@react-three/fiber';
import { useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { useApp, type CameraPreset } from '../store';
import { atomGroups, type AtomGroup } from './groups';
import { keColor, keGradientCss, KE_MAX, KE_MIN } from './colormap';
import { OVERLAY } from './atomStyle';
import { Overlays } from './Overlays';
import { CaptureButtons } from './Capture';
import { sphereImpostors } from './sphereImpostors';

const FOV = 30;
/** Stand-in cell for a non-periodic system (not used by the MoS2 sheet). */
const NO_CELL = new Float64Array([20, 0, 0, 0, 20, 0, 0, 0, 20]);

/** The 3D view: one InstancedMesh per atom group, the run overlays, the cell outline, and camera presets. */
export function Viewer() {
  const sample = useApp((s) => s.sample);
  const groups = useMemo(() => atomGroups(sample.system, sample.site, sample.zMid), [sample]);
  return (
    <div className="viewer">
      <div className="viewer-canvas" role="img" aria-label={`3D view of the MoS2 sheet, ${sample.system.atype.length} atoms`}>
        <Canvas
          frameloop="demand"
          dpr={[1, 2]}
          camera={{ fov: FOV, near: 0.1, far: 5000, position: [0, 60, 60] }}
          gl={{ antialias: true, preserveDrawingBuffer: true }}
          data-testid="viewer-canvas"
        >
          <color attach="background" args={['#0d1119']} />
          {/* The atoms light themselves (sphereImpostors.ts LIGHTS); the overlays are unlit. */}
          {/* Model coordinates (sheet in x-y, z normal) -> world (y up). */}
          <group rotation={[-Math.PI / 2, 0, 0]}>
            <CenteredSheet groups={groups} />
          </group>
          <CameraRig />
        </Canvas>
      </div>
      <div className="viewer-toolbar">
        <CameraToolbar />
        <ColorToolbar />
        <CaptureButtons />
      </div>
      <Legend groups={groups} />
    </div>
  );
}

function CenteredSheet({ groups }: { groups: AtomGroup[] }) {
  const cell = useApp((s) => s.sample.system.cell) ?? NO_CELL;
  const zMid = useApp((s) => s.sample.zMid);
  const natoms = useApp((s) => s.sample.system.atype.length);
  const cx = (cell[0] + cell[3]) / 2;
  const cy = (cell[1] + cell[4]) / 2;
  return (
    <group position={[-cx, -cy, -zMid]}>
      {groups.map((g) => <AtomInstances key={g.key + g.indices.length} group={g} natoms={natoms} />)}
      <CellOutline cell={cell} z={zMid} />
      <ImpactPicker cell={cell} z={zMid} />
      <Overlays />
    </group>
  );
}

/** Writes the group's sphere centres and colours from the latest frame, outside React renders. */
function AtomInstances({ group, natoms }: { group: AtomGroup; natoms: number }) {
  const invalidate = useThree((s) => s.invalidate);
  const spheres = useMemo(() => sphereImpostors(group.indices.length, group.radius), [group]);
  useEffect(() => () => spheres.dispose(), [spheres]);

  useLayoutEffect(() => {
    const { centers, colors } = spheres;
    const col = new THREE.Color();
    const rgb = new Float32Array(3);
    const base = new THREE.Color(group.color);
    const idx = group.indices;
    const write = (coord: ArrayLike<number>) => {
      // A frame of another system (the sample changed; React has not re-rendered this group away yet).
      if (coord.length !== 3 * natoms) return;
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k];
        centers[3 * k] = coord[3 * i];
        centers[3 * k + 1] = coord[3 * i + 1];
        centers[3 * k + 2] = coord[3 * i + 2];
      }
      spheres.centersChanged();
    };
    const paint = (kinetic: Float32Array | null, byKe: boolean) => {
      for (let k = 0; k < idx.length; k++) {
        if (byKe) {
          keColor(kinetic && kinetic.length === natoms ? kinetic[idx[k]] : 0, rgb);
          col.setRGB(rgb[0], rgb[1], rgb[2], THREE.SRGBColorSpace);
        } else col.copy(base);
        colors[3 * k] = col.r;
        colors[3 * k + 1] = col.g;
        colors[3 * k + 2] = col.b;
      }
      spheres.colorsChanged();
    };
    const s0 = useApp.getState();
    write(s0.frame.coord);
    paint(s0.frame.kinetic, s0.colorMode === 'kinetic');
    invalidate();
    return useApp.subscribe((s, prev) => {
      if (s.frame === prev.frame && s.colorMode === prev.colorMode) return;
      if (s.frame !== prev.frame) write(s.frame.coord);
      if (s.colorMode === 'kinetic' || s.colorMode !== prev.colorMode) paint(s.frame.kinetic, s.colorMode === 'kinetic');
      invalidate();
    });
  }, [group, natoms, spheres, invalidate]);

  return <primitive object={spheres.mesh} />;
}

function CellOutline({ cell, z }: { cell: Float64Array; z: number }) {
  const line = useMemo(() => {
    const o = new THREE.Vector3(0, 0, z);
    const a = new THREE.Vector3(cell[0], cell[1], 0).add(o);
    const b = new THREE.Vector3(cell[3], cell[4], 0);
    const pts = [o, a, a.clone().add(b), o.clone().add(b), o];
    const geom = new THREE.BufferGeometry().setFromPoints(pts);
    const mat = new THREE.LineBasicMaterial({ color: '#4a5875', transparent: true, opacity: 0.8 });
    return new THREE.Line(geom, mat);
  }, [cell, z]);
  useEffect(() => () => { line.geometry.dispose(); (line.material as THREE.Material).dispose(); }, [line]);
  return <primitive object={line} />;
}

/**
 * An invisible plane over the cell at the Mo height: clicking it (without dragging the camera) sets the impact
 * point while no run is active.
 */
function ImpactPicker({ cell, z }: { cell: Float64Array; z: number }) {
  const status = useApp((s) => s.run.status);
  const update = useApp((s) => s.updateSettings);
  const lx = cell[0], ly = cell[4];
  const editable = status === 'idle' || status === 'ended' || status === 'error';
  const onClick = (e: ThreeEvent<MouseEvent>) => {
    if (!editable || e.delta > 4) return;
    e.stopPropagation();
    const local = e.object.worldToLocal(e.point.clone());
    const x = Math.min(lx, Math.max(0, local.x + lx / 2));
    const y = Math.min(ly, Math.max(0, local.y + ly / 2));
    update((s) => ({ ...s, projectile: { ...s.projectile, impact: [round2(x), round2(y)] } }));
    if (status !== 'idle') useApp.getState().resetRun();
  };
  return (
    <mesh position={[lx / 2, ly / 2, z]} onClick={onClick}>
      <planeGeometry args={[lx, ly]} />
      <meshBasicMaterial visible={false} side={THREE.DoubleSide} />
    </mesh>
  );
}

const round2 = (v: number) => Math.round(v * 100) / 100;

/** Orbit controls plus the preset views; re-renders only on demand. */
function CameraRig() {
  const camera = useThree((s) => s.camera) as THREE.PerspectiveCamera;
  const domElement = useThree((s) => s.gl.domElement);
  const invalidate = useThree((s) => s.invalidate);
  const preset = useApp((s) => s.camera);
  const cell = useApp((s) => s.sample.system.cell) ?? NO_CELL;
  const controls = useRef<OrbitControls | null>(null);

  useEffect(() => {
    const c = new OrbitControls(camera, domElement);
    c.enableDamping = false;
    c.screenSpacePanning = true;
    const onChange = () => invalidate();
    c.addEventListener('change', onChange);
    controls.current = c;
    return () => {
      c.removeEventListener('change', onChange);
      c.dispose();
      controls.current = null;
    };
  }, [camera, domElement, invalidate]);

  useEffect(() => {
    placeCamera(camera, preset.preset, fitDistance(camera, cell, preset.preset));
    const c = controls.current;
    if (c) {
      c.target.set(0, 0, 0);
      c.update();
    }
    invalidate();
  }, [preset, cell, camera, invalidate]);
  return null;
}

/** Camera distance that frames the sheet for a preset: its rectangle from the top, its width edge-on, a sphere
 * around it obliquely (so orbiting from there never clips it). */
function fitDistance(camera: THREE.PerspectiveCamera, cell: Float64Array, preset: CameraPreset): number {
  const pad = 1.5; // atom radii
  const halfX = 0.5 * Math.max(Math.abs(cell[0]) + Math.abs(cell[3]), 8) + pad;
  const halfY = 0.5 * Math.max(Math.abs(cell[1]) + Math.abs(cell[4]), 8) + pad;
  const tanV = Math.tan(THREE.MathUtils.degToRad(camera.fov / 2));
  const tanH = tanV * (camera.aspect || 1);
  switch (preset) {
    case 'top':
      return 1.06 * Math.max(halfX / tanH, halfY / tanV) + 3;
    case 'side':
      return 1.06 * halfX / tanH + halfY;
    case 'oblique': {
      const r = Math.hypot(halfX, halfY);
      return (1.02 * r) / Math.sin(Math.min(Math.atan(tanV), Math.atan(tanH)));
    }
  }
}

/** World frame: y is the sheet normal, x along the cell's a vector, -z along b. */
function placeCamera(camera: THREE.PerspectiveCamera, preset: CameraPreset, d: number) {
  switch (preset) {
    case 'top':
      camera.position.set(0, d, 1e-3 * d);
      break;
    case 'side':
      camera.position.set(0, 0, d);
      break;
    case 'oblique': {
      const el = THREE.MathUtils.degToRad(35);
      const az = THREE.MathUtils.degToRad(25);
      camera.position.set(d * Math.cos(el) * Math.sin(az), d * Math.sin(el), d * Math.cos(el) * Math.cos(az));
      break;
    }
  }
  camera.up.set(0, 1, 0);
  camera.lookAt(0, 0, 0);
  camera.updateProjectionMatrix();
}

const PRESETS: { id: CameraPreset; label: string; title: string }[] = [
  { id: 'top', label: 'Top', title: 'Look down the sheet normal' },
  { id: 'side', label: 'Side', title: 'Look along the sheet (edge-on)' },
  { id: 'oblique', label: 'Oblique', title: 'Look from 35° above the sheet' },
];

function CameraToolbar() {
  const current = useApp((s) => s.camera.preset);
  const setPreset = useApp((s) => s.setCameraPreset);
  return (
    <div className="button-group" role="group" aria-label="Camera view">
      {PRESETS.map((p) => (
        <button
          key={p.id}
          type="button"
          className={p.id === current ? 'active' : undefined}
          aria-pressed={p.id === current}
          title={p.title}
          onClick={() => setPreset(p.id)}
        >
          {p.label}
        </button>
      ))}
    </div>
  );
}

function ColorToolbar() {
  const mode = useApp((s) => s.colorMode);
  const setMode = useApp((s) => s.setColorMode);
  return (
    <div className="button-group" role="group" aria-label="Atom colouring">
      <button type="button" aria-pressed={mode === 'species'} className={mode === 'species' ? 'active' : undefined}
        title="Colour atoms by species and layer" onClick={() => setMode('species')}>Species</button>
      <button type="button" aria-pressed={mode === 'kinetic'} className={mode === 'kinetic' ? 'active' : undefined}
        title="Colour atoms by kinetic energy (log scale)" onClick={() => setMode('kinetic')}>Kinetic energy</button>
    </div>
  );
}

function Legend({ groups }: { groups: AtomGroup[] }) {
  const mode = useApp((s) => s.colorMode);
  const running = useApp((s) => s.run.info !== null);
  return (
    <div className="viewer-legend">
      <ul aria-label="Atom colours">
        {mode === 'species'
          ? groups.map((g) => (
            <li key={g.key}>
              <span className="swatch" style={{ background: g.color }} aria-hidden="true" />
              {g.label} <span className="muted">({g.indices.length})</span>
            </li>
          ))
          : (
            <li className="ke-scale">
              <span className="ke-bar" style={{ background: keGradientCss() }} aria-hidden="true" />
              Kinetic energy {KE_MIN}–{KE_MAX} eV (log)
            </li>
          )}
      </ul>
      {running && (
        <ul aria-label="Overlay colours">
          <li><span className="swatch" style={{ background: OVERLAY.sputtered }} aria-hidden="true" />Sputtered + trail</li>
          <li><span className="swatch" style={{ background: OVERLAY.ionPath }} aria-hidden="true" />Projectile path</li>
          <li><span className="swatch" style={{ background: OVERLAY.vacancy }} aria-hidden="true" />Vacancy</li>
          <li><span className="swatch" style={{ background: OVERLAY.pore }} aria-hidden="true" />Pore</li>
        </ul>
      )}
    </div>
  );
}
