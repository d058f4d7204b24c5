run test/distributed/golden/coupled_ensemble.xreg --member 1 --out test/distributed/golden/never
