import { defineFn, tf } from 'xreg/plugin';
export const spread = defineFn({ name: 'spread', args: ['x'], shape: () => [], compute: ([x]) => tf.moments(x).variance });
