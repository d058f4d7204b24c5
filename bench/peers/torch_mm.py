"""One matrix product in PyTorch (CPU), for bench/peers/roofline.ts: median GFLOP/s.

python3 bench/peers/torch_mm.py M K N THREADS REPS
Prints one number, or a line starting with 'skip:'.
"""
import sys
import time

try:
    import torch
except ImportError:
    print("skip: PyTorch is not installed (Debian: apt-get install python3-torch)")
    sys.exit(0)

m, k, n, threads, reps = (int(a) for a in sys.argv[1:6])
torch.set_num_threads(threads)
a, b = torch.randn(m, k), torch.randn(k, n)
for _ in range(10):
    torch.mm(a, b)
times = []
for _ in range(reps):
    t = time.perf_counter()
    torch.mm(a, b)
    times.append(time.perf_counter() - t)
times.sort()
print(2 * m * k * n / times[len(times) // 2] / 1e9)
