import { defineFn, tf } from 'xreg/plugin';
export const spread = defineFn({ name: 'spread', args: ['x'], shape: () => [], compute: ([x]) => tf.sub(tf.max(x), tf.min(x)) });
