run test/distributed/golden/single.xreg --seeds 0..3,2
