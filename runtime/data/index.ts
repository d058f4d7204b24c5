export { splitDataset, splitSizes, type SplitFraction } from './split.js';
export { growthView, growthSize, type Growth } from './growth.js';
export { epochOrder, batchIndices, batchesPerEpoch, makeBatch } from './batch.js';
export { advance, startCursor, type Cursor, type Advance } from './cursor.js';
export { loadData, formatDataError, checkAgainstSchema, type TransformUse } from './load.js';
