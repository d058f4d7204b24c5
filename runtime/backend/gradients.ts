export { gradientsRegistered } from '../../stdlib/gradients.js';
