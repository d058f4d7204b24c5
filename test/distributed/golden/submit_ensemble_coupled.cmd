submit test/distributed/golden/coupled_ensemble.xreg --redis redis://127.0.0.1:1
