run test/distributed/golden/single.xreg --seeds 4..1
