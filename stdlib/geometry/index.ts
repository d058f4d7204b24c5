/** Pure tensor geometry used by update rules: projections along/orthogonal to a direction, the sphere. */
export { projectAlong, projectOrthogonal } from './project.js';
export { retractToSphere, tangentProject } from './sphere.js';
export { jointDot, jointNorm } from './joint.js';
