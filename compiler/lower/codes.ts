/** Diagnostic codes of lowering (E06xx): what the IR asks for that no step function can do yet. */
export const LowerCodes = {
  unsupported: 'E0601',
  unknownEntry: 'E0602',
  notScalar: 'E0603',
  badOptimizer: 'E0604',
  noSweepValue: 'E0605',
  reshape: 'E0606',
} as const;
