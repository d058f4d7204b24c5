run test/distributed/golden/population.xreg --seeds 0..2 --out test/distributed/golden/never
