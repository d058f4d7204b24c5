/** Diagnostic codes of lowering (E06xx): what the IR asks for that no step function can do yet. */
/**
 * E0605's hint. `xreg run` and `xreg check` give every member each variable's value, so a program
 * only meets it when lowered without them, as a library.
 */
export const NO_SWEEP_VALUE_HINT = 'each sweep member is run with a value for every sweep variable (xreg run and xreg check do this); lowered without them, a program cannot compute the value';

export const LowerCodes = {
  unsupported: 'E0601',
  unknownEntry: 'E0602',
  notScalar: 'E0603',
  badOptimizer: 'E0604',
  noSweepValue: 'E0605',
  reshape: 'E0606',
} as const;
