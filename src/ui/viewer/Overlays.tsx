// What the run adds on top of the atoms, drawn in model coordinates and updated outside React renders:
// halos and trails of sputtered atoms, the projectile's path, vacancies at their pristine sites, pores as circles
// of their effective diameter, and the impact point (chosen or, before a run, the one that will be used).
import { useThree } from '@react-three/fiber';
import { useEffect, useMemo } from 'react';
import * as THREE from 'three';
import { useApp, type AppState } from '../store';
import { OVERLAY } from './atomStyle';

const HALO = new THREE.SphereGeometry(1, 16, 12);
const VACANCY = new THREE.OctahedronGeometry(0.45);
const MAX_MARKS = 4096;

export function Overlays() {
  const invalidate = useThree((s) => s.invalidate);
  const objects = useMemo(() => makeObjects(), []);
  useEffect(() => () => disposeObjects(objects), [objects]);

  useEffect(() => {
    const update = (s: AppState) => {
      updateOverlays(objects, s);
      invalidate();
    };
    update(useApp.getState());
    return useApp.subscribe((s, prev) => {
      if (s.frame !== prev.frame || s.run.damage !== prev.run.damage || s.settings.projectile !== prev.settings.projectile || s.run.info !== prev.run.info) update(s);
    });
  }, [objects, invalidate]);

  return <primitive object={objects.root} />;
}

interface OverlayObjects {
  root: THREE.Group;
  halos: THREE.InstancedMesh;
  vacancies: THREE.InstancedMesh;
  trails: THREE.LineSegments;
  ionPath: THREE.LineSegments;
  pores: THREE.LineSegments;
  impact: THREE.LineSegments;
}

function makeObjects(): OverlayObjects {
  const root = new THREE.Group();
  const halos = new THREE.InstancedMesh(HALO, new THREE.MeshBasicMaterial({ color: OVERLAY.sputtered, transparent: true, opacity: 0.45, depthWrite: false }), MAX_MARKS);
  halos.count = 0;
  halos.frustumCulled = false;
  const vacancies = new THREE.InstancedMesh(VACANCY, new THREE.MeshBasicMaterial({ color: OVERLAY.vacancy, wireframe: true }), MAX_MARKS);
  vacancies.count = 0;
  vacancies.frustumCulled = false;
  const line = (color: string, opacity = 1) => new THREE.LineBasicMaterial({ color, transparent: opacity < 1, opacity });
  const trails = new THREE.LineSegments(new THREE.BufferGeometry(), line(OVERLAY.sputtered, 0.9));
  const ionPath = new THREE.LineSegments(new THREE.BufferGeometry(), line(OVERLAY.ionPath));
  const pores = new THREE.LineSegments(new THREE.BufferGeometry(), line(OVERLAY.pore));
  const impact = new THREE.LineSegments(new THREE.BufferGeometry(), line(OVERLAY.impact));
  for (const o of [trails, ionPath, pores, impact]) o.frustumCulled = false;
  root.add(halos, vacancies, trails, ionPath, pores, impact);
  return { root, halos, vacancies, trails, ionPath, pores, impact };
}

function disposeObjects(o: OverlayObjects): void {
  for (const obj of [o.halos, o.vacancies, o.trails, o.ionPath, o.pores, o.impact]) {
    (obj.material as THREE.Material).dispose();
    if (obj instanceof THREE.Line) obj.geometry.dispose();
  }
}

function setPoints(obj: THREE.Line | THREE.LineSegments, pts: number[]): void {
  obj.geometry.setAttribute('position', new THREE.Float32BufferAttribute(pts, 3));
  obj.geometry.computeBoundingSphere();
  obj.visible = pts.length >= 6;
}

function updateOverlays(o: OverlayObjects, s: AppState): void {
  const { info, damage } = s.run;
  const coord = s.frame.coord;
  if (info && coord.length !== 3 * info.natoms) return; // the preview of a new sample, not the run's frame
  const cell = s.sample.system.cell;
  const lx = cell ? cell[0] : Infinity, ly = cell ? cell[4] : Infinity;
  const m = new THREE.Matrix4();

  // Sputtered atoms: halo at the current position, trail along the recorded path.
  const sputtered = damage && info ? damage.sputteredAtoms.filter((i) => i < coord.length / 3) : [];
  const trail: number[] = [];
  let h = 0;
  for (const i of sputtered) {
    if (h >= MAX_MARKS) break;
    m.makeScale(1.05, 1.05, 1.05);
    m.setPosition(coord[3 * i], coord[3 * i + 1], coord[3 * i + 2]);
    o.halos.setMatrixAt(h++, m);
    if (i === info?.projectile) continue; // the projectile has its own path
    const p = s.tracks.paths.get(i);
    if (p) pathSegments(trail, p, lx, ly);
  }
  o.halos.count = h;
  o.halos.instanceMatrix.needsUpdate = true;
  setPoints(o.trails, trail);

  // The projectile's path (an ion from its start point; a PKA from its site).
  const ion: number[] = [];
  if (info) pathSegments(ion, s.tracks.paths.get(info.projectile) ?? [], lx, ly);
  setPoints(o.ionPath, ion);

  // Vacancies at their pristine sites.
  let v = 0;
  if (damage && info) {
    for (const site of damage.vacancySites) {
      if (v >= MAX_MARKS) break;
      m.makeTranslation(info.reference[3 * site], info.reference[3 * site + 1], info.reference[3 * site + 2]);
      o.vacancies.setMatrixAt(v++, m);
    }
  }
  o.vacancies.count = v;
  o.vacancies.instanceMatrix.needsUpdate = true;

  // Pores: circles of the effective diameter in the Mo plane.
  const pore: number[] = [];
  const z = s.sample.zMid;
  for (const p of damage?.pores ?? []) circle(pore, p.center[0], p.center[1], z, p.diameter / 2);
  setPoints(o.pores, pore);

  // Impact point: a cross on the top S plane (what the run used, or what the next run will use).
  const imp = info ? info.impact : s.settings.projectile.impact;
  const cross: number[] = [];
  if (imp && (!info || info.settings.projectile.mode === 'ion')) {
    const zt = z + s.sample.t / 2 + 0.8, r = 0.9;
    cross.push(imp[0] - r, imp[1], zt, imp[0] + r, imp[1], zt, imp[0], imp[1] - r, zt, imp[0], imp[1] + r, zt);
    circle(cross, imp[0], imp[1], zt, r * 0.7);
  }
  setPoints(o.impact, cross);
}

/**
 * Line segments along a recorded path. Positions are wrapped into the periodic cell by the integrator, so a step
 * that jumps by more than half the cell crossed a boundary: that segment is left out.
 */
function pathSegments(out: number[], p: number[], lx: number, ly: number): void {
  for (let k = 3; k < p.length; k += 3) {
    if (Math.abs(p[k] - p[k - 3]) > lx / 2 || Math.abs(p[k + 1] - p[k - 2]) > ly / 2) continue;
    out.push(p[k - 3], p[k - 2], p[k - 1], p[k], p[k + 1], p[k + 2]);
  }
}

function circle(out: number[], cx: number, cy: number, z: number, r: number, n = 40): void {
  for (let k = 0; k < n; k++) {
    const a0 = (2 * Math.PI * k) / n, a1 = (2 * Math.PI * (k + 1)) / n;
    out.push(cx + r * Math.cos(a0), cy + r * Math.sin(a0), z, cx + r * Math.cos(a1), cy + r * Math.sin(a1), z);
  }
}
