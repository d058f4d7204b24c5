submit test/distributed/golden/sweep.xreg --redis redis://127.0.0.1:1 --seeds 0,1
