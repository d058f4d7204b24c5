export { signum, gated, orthogonality } from '../../../examples/plugin/plugin.ts';
