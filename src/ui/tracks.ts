// Paths of atoms worth following (no React): the projectile from the first frame, and every atom once its kinetic
// energy exceeds a threshold (recoils, sputtered atoms). The viewer draws the tracks of sputtered atoms as trails
// and the projectile's as the ion path.

/** Kinetic energy (eV) above which an atom's path starts being recorded. */
export const TRACK_KE = 2;
/** At most this many points per track (older points are thinned, every other one dropped). */
const MAX_POINTS = 512;
/** At most this many tracked atoms (the fastest first come, first kept). */
const MAX_TRACKS = 2000;

export class TrackSet {
  readonly paths = new Map<number, number[]>();
  constructor(readonly projectile: number) {}

  add(coord: ArrayLike<number>, kinetic: ArrayLike<number>): void {
    const n = kinetic.length;
    if (this.projectile >= 0 && this.projectile < n && !this.paths.has(this.projectile)) this.paths.set(this.projectile, []);
    for (let i = 0; i < n; i++) {
      if (kinetic[i] > TRACK_KE && !this.paths.has(i) && this.paths.size < MAX_TRACKS) this.paths.set(i, []);
    }
    for (const [i, p] of this.paths) {
      p.push(coord[3 * i], coord[3 * i + 1], coord[3 * i + 2]);
      if (p.length > 3 * MAX_POINTS) {
        const keep: number[] = [];
        for (let k = 0; k < p.length / 3; k += 2) keep.push(p[3 * k], p[3 * k + 1], p[3 * k + 2]);
        keep.push(coord[3 * i], coord[3 * i + 1], coord[3 * i + 2]);
        this.paths.set(i, keep);
      }
    }
  }
}
