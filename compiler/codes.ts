/**
 * Stable diagnostic codes of the compiler (the parser owns E01xx). Tests and tools match on these,
 * never on the wording of messages.
 */
export const Codes = {
  // names and arguments
  unknownName: 'E0201',
  duplicate: 'E0202',
  unknownArg: 'E0203',
  missingArg: 'E0204',
  argType: 'E0205',
  tooManyArgs: 'E0206',
  importRead: 'E0207',
  importCycle: 'E0208',
  notConstant: 'E0209',
  fieldOutsideOver: 'E0210',
  wrongKind: 'E0211',
  unknownOverride: 'W0212',
  recursive: 'E0213',
  // language forms of issue 11 (E0220–E0239)
  appliedGradPlace: 'E0220',
  appliedGradArg: 'E0221',
  appliedGradNoRule: 'E0222',
  badThroughOption: 'E0223',
  badOverride: 'E0224',
  // hostile and clumsy input of issue 15 (E0240–E0259; E0700 is the parser's nesting limit)
  emptyProgram: 'E0240',
  badBatch: 'E0241',
  tensorTooLarge: 'E0242',
  importNotXreg: 'E0243',
  // types and shapes
  broadcast: 'E0301',
  matmul: 'E0302',
  inferFailed: 'E0303',
  unknownDim: 'E0304',
  sharedShape: 'E0305',
  notScalar: 'E0306',
  classWidth: 'E0307',
  // partitions
  twoPartitions: 'E0401',
  noPartition: 'E0402',
  badSelector: 'E0403',
  emptySelector: 'E0404',
  hyperUpdated: 'E0405',
  // checks
  testLeak: 'E0501',
  thetaOnReg: 'E0502',
  deadParam: 'E0503',
  neverFires: 'E0504',
  untilBeforeFrom: 'E0505',
  everyZero: 'E0506',
  untilAfterEnd: 'W0507',
  unknownSplit: 'E0508',
  splitNotYet: 'E0509',
  metricAsLoss: 'E0510',
  noData: 'E0511',
  noRun: 'W0512',
  phaseNeverRuns: 'E0513',
  phasesShort: 'W0514',
  badThrough: 'E0515',
  twoReports: 'E0560',
  // noise / growing data (issue 9: E0540–E0559)
  badGrowth: 'E0540',
  // populations (issue 11: E0520–E0539)
  exploitDirection: 'E0520',
  badExplore: 'E0521',
  // plugins (cli/plugins/): loading the modules a program, its project file or --plugin names
  pluginNotFound: 'E0800',
  pluginThrew: 'E0801',
  pluginNoEntries: 'E0802',
  pluginBadEntry: 'E0803',
  pluginClash: 'E0804',
  badConfig: 'E0805',
} as const;
