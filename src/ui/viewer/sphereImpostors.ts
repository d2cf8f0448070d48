// Atoms drawn as ray-cast sphere impostors: one camera-facing quad per atom (two triangles), the sphere surface
// and its depth found per pixel. A tessellated sphere costs hundreds of triangles per atom, which is what limits
// large sheets on weak and software renderers (bench/viewer.ts); an impostor is also exactly round at any zoom.
// No React.
import * as THREE from 'three';

/** The viewer's lights, in world coordinates (y up), shared by every impostor material. */
export const LIGHTS = {
  sky: new THREE.Color('#dfe8ff'),
  ground: new THREE.Color('#1a1f2b'),
  hemi: 1.1,
  key: { dir: new THREE.Vector3(30, 60, 40).normalize(), intensity: 1.6 },
  fill: { dir: new THREE.Vector3(-40, -20, -30).normalize(), intensity: 0.35 },
};

const VERTEX = /* glsl */ `
in vec3 center;
in vec3 icolor;
uniform float radius;
out vec3 vCenter;
out vec3 vPos;
out vec3 vColor;
void main() {
  vec4 c = modelViewMatrix * vec4(center, 1.0);
  float d = length(c.xyz);
  // Half-size of the quad (in the plane through the centre, facing the view axis) that holds the sphere's
  // perspective outline: the tangent cone widens it by d / sqrt(d^2 - r^2), the angle off the view axis by up
  // to 1 / cos^2 (about 1.2 at the corners of a 30 degree view); 1.3 covers both with a margin.
  float s = 1.3 * radius * d / sqrt(max(d * d - radius * radius, 1e-6));
  vec3 p = c.xyz + vec3(position.xy * s, 0.0);
  vCenter = c.xyz;
  vPos = p;
  vColor = icolor;
  gl_Position = projectionMatrix * vec4(p, 1.0);
}`;

const FRAGMENT = /* glsl */ `
uniform mat4 projectionMatrix; // not in three's fragment prelude
uniform float radius;
uniform vec3 skyColor;
uniform vec3 groundColor;
uniform float hemiIntensity;
uniform vec3 keyDir;
uniform float keyIntensity;
uniform vec3 fillDir;
uniform float fillIntensity;
in vec3 vCenter;
in vec3 vPos;
in vec3 vColor;
void main() {
  // Ray from the eye (view-space origin) through this pixel against the sphere.
  vec3 dir = normalize(vPos);
  float b = dot(dir, vCenter);
  float disc = b * b - dot(vCenter, vCenter) + radius * radius;
  // Coverage of the outline over about one pixel (alpha to coverage: MSAA smooths the silhouette without
  // blending, so no depth sorting is needed).
  float coverage = clamp(disc / max(fwidth(disc), 1e-8) + 0.5, 0.0, 1.0);
  if (coverage <= 0.0) discard;
  vec3 hit = (b - sqrt(max(disc, 0.0))) * dir;
  vec3 n = (hit - vCenter) / radius;
  vec4 clip = projectionMatrix * vec4(hit, 1.0);
  gl_FragDepth = 0.5 * clip.z / clip.w + 0.5;
  // Lambert under a hemisphere light and two directional lights (world space, as MeshStandardMaterial's
  // diffuse term: irradiance x colour / pi), plus a soft Blinn-Phong highlight from the key light.
  vec3 nw = normalize((vec4(n, 0.0) * viewMatrix).xyz);
  vec3 irradiance = mix(groundColor, skyColor, 0.5 * nw.y + 0.5) * hemiIntensity
    + vec3(keyIntensity * max(dot(nw, keyDir), 0.0) + fillIntensity * max(dot(nw, fillDir), 0.0));
  vec3 keyView = normalize((viewMatrix * vec4(keyDir, 0.0)).xyz);
  float spec = pow(max(dot(n, normalize(keyView - dir)), 0.0), 24.0) * 0.25 * keyIntensity;
  gl_FragColor = vec4(vColor * irradiance * 0.9 / 3.14159265 + vec3(spec), coverage);
  #include <tonemapping_fragment>
  #include <colorspace_fragment>
}`;

export interface SphereImpostors {
  mesh: THREE.Mesh<THREE.InstancedBufferGeometry, THREE.ShaderMaterial>;
  /** xyz per atom, in the mesh's local frame; call `centersChanged()` after writing. */
  centers: Float32Array;
  /** Linear RGB per atom; call `colorsChanged()` after writing. */
  colors: Float32Array;
  centersChanged: () => void;
  colorsChanged: () => void;
  dispose: () => void;
}

/** `count` spheres of one radius (Å). */
export function sphereImpostors(count: number, radius: number): SphereImpostors {
  const geometry = new THREE.InstancedBufferGeometry();
  geometry.setAttribute('position', new THREE.BufferAttribute(new Float32Array([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]), 3));
  geometry.setIndex([0, 1, 2, 0, 2, 3]);
  const centers = new Float32Array(3 * count);
  const colors = new Float32Array(3 * count);
  const centerAttr = new THREE.InstancedBufferAttribute(centers, 3).setUsage(THREE.DynamicDrawUsage);
  const colorAttr = new THREE.InstancedBufferAttribute(colors, 3).setUsage(THREE.DynamicDrawUsage);
  geometry.setAttribute('center', centerAttr);
  geometry.setAttribute('icolor', colorAttr);
  geometry.instanceCount = count;
  const material = new THREE.ShaderMaterial({
    vertexShader: VERTEX,
    fragmentShader: FRAGMENT,
    alphaToCoverage: true,
    uniforms: {
      radius: { value: radius },
      skyColor: { value: LIGHTS.sky },
      groundColor: { value: LIGHTS.ground },
      hemiIntensity: { value: LIGHTS.hemi },
      keyDir: { value: LIGHTS.key.dir },
      keyIntensity: { value: LIGHTS.key.intensity },
      fillDir: { value: LIGHTS.fill.dir },
      fillIntensity: { value: LIGHTS.fill.intensity },
    },
  });
  const mesh = new THREE.Mesh(geometry, material);
  // The quad template says nothing about where the atoms are: bound them on every update instead.
  const bounds = new THREE.Box3();
  const v = new THREE.Vector3();
  const centersChanged = () => {
    centerAttr.needsUpdate = true;
    bounds.makeEmpty();
    for (let k = 0; k < count; k++) bounds.expandByPoint(v.set(centers[3 * k], centers[3 * k + 1], centers[3 * k + 2]));
    if (!geometry.boundingSphere) geometry.boundingSphere = new THREE.Sphere();
    bounds.getBoundingSphere(geometry.boundingSphere);
    geometry.boundingSphere.radius += 2 * radius;
  };
  return {
    mesh, centers, colors, centersChanged,
    colorsChanged: () => { colorAttr.needsUpdate = true; },
    dispose: () => { geometry.dispose(); material.dispose(); },
  };
}
