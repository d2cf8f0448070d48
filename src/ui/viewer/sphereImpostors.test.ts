import { describe, expect, it } from 'vitest';
import { sphereImpostors } from './sphereImpostors';

describe('sphereImpostors', () => {
  it('holds one quad instance per atom and bounds every sphere after an update', () => {
    const s = sphereImpostors(3, 0.7);
    expect(s.mesh.geometry.instanceCount).toBe(3);
    expect(s.mesh.geometry.getAttribute('center').count).toBe(3);
    expect(s.mesh.geometry.index?.count).toBe(6); // two triangles
    s.centers.set([0, 0, 0, 10, 0, 0, 0, 5, -3]);
    s.centersChanged();
    const b = s.mesh.geometry.boundingSphere!;
    for (let k = 0; k < 3; k++) {
      const d = Math.hypot(s.centers[3 * k] - b.center.x, s.centers[3 * k + 1] - b.center.y, s.centers[3 * k + 2] - b.center.z);
      expect(d + 0.7).toBeLessThanOrEqual(b.radius);
    }
    // Moving an atom far away moves the bound with it (frustum culling must never hide atoms).
    s.centers.set([100, 0, 0], 3);
    s.centersChanged();
    expect(Math.hypot(100 - b.center.x, b.center.y, b.center.z) + 0.7).toBeLessThanOrEqual(s.mesh.geometry.boundingSphere!.radius);
    s.dispose();
  });
});
