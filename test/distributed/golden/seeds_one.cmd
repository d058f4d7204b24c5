run test/distributed/golden/single.xreg --seeds 5
