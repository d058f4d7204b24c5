run test/distributed/golden/single.xreg --seed 3 --seeds 0..2
