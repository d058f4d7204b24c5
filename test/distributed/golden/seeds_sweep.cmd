run test/distributed/golden/sweep.xreg --seeds 0..2 --out test/distributed/golden/never
