// An entry written by hand instead of with defineFn: no shape rule, no computation.
export default [{ kind: 'fn', name: 'half', tensorArgs: ['x'] }];
