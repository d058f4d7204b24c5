"""The work of bench/gpu/steps.ts in PyTorch on CUDA, and the ratios against its JSON.

    python3 torch_steps.py [--tfjs tfjs.json] [--steps 30] [--warmup 5] [--epochs 3]

mlp:   784-256-256-10 ReLU, batch 128, softmax cross-entropy, Adam
conv:  28x28x1 -> conv3x3 32 ReLU -> conv3x3 64 stride 2 ReLU -> dense 10, batch 128, Adam
epoch: crossreg_noise's model (3 x [dense 256, layer norm without affine, x + exp(log_sigma) * eps,
       ReLU], dense 10) for 106 steps at batch 512: 'fit' (cross-entropy, Adam 1e-4 on weights)
       every step, 'gen' (NLL of the mean of 3 noisy softmaxes, Adam 0.1 on the log-sigmas) every 30
Each step ends by reading its loss on the host (.item()), as the tfjs side awaits its loss.
float32 with TF32 matrix products off, the tfjs side's precision.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--tfjs")
p.add_argument("--steps", type=int, default=30)
p.add_argument("--warmup", type=int, default=5)
p.add_argument("--epochs", type=int, default=3)
a = p.parse_args()

torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = torch.device("cuda")
torch.manual_seed(0)


def time_model(model, shape):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(*shape, device=dev)
    y = torch.randint(0, 10, (shape[0],), device=dev)
    times = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


mlp = torch.nn.Sequential(
    torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 10)
).to(dev)
conv = torch.nn.Sequential(
    torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(),
    torch.nn.Conv2d(32, 64, 3, stride=2, padding=1), torch.nn.ReLU(),
    torch.nn.Flatten(), torch.nn.Linear(14 * 14 * 64, 10),
).to(dev)


class NoisyNet(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = torch.nn.ModuleList([torch.nn.Linear(784, 256), torch.nn.Linear(256, 256), torch.nn.Linear(256, 256)])
        self.log_sigma = torch.nn.Parameter(torch.full((3,), -3.0))
        self.out = torch.nn.Linear(256, 10)

    def forward(self, x):
        h = x.flatten(1)
        for i, d in enumerate(self.dense):
            h = F.layer_norm(d(h), (256,))
            h = F.relu(h + torch.exp(self.log_sigma[i]) * torch.randn_like(h))
        return self.out(h)


def time_epoch():
    net = NoisyNet().to(dev)
    weights = [q for n, q in net.named_parameters() if n != "log_sigma"]
    fit_opt = torch.optim.Adam(weights, lr=1e-4)
    gen_opt = torch.optim.Adam([net.log_sigma], lr=0.1)
    x = torch.randn(512, 28, 28, 1, device=dev)
    y = torch.randint(0, 10, (512,), device=dev)
    times = []
    for e in range(a.epochs + 1):
        t0 = time.perf_counter()
        for k in range(106):
            fit_opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(net(x), y)
            loss.backward()
            fit_opt.step()
            if k % 30 == 0:
                gen_opt.zero_grad(set_to_none=True)
                p_mean = torch.stack([F.softmax(net(x), 1) for _ in range(3)]).mean(0)
                F.nll_loss(torch.log(p_mean), y).backward()
                gen_opt.step()
        net.log_sigma.detach().cpu()
        if e > 0:
            times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


r = {
    "device": torch.cuda.get_device_name(0),
    "torch": torch.__version__,
    "mlp_ms": time_model(mlp, (128, 784)),
    "conv_ms": time_model(conv, (128, 1, 28, 28)),
    "epoch_ms": time_epoch(),
}
print(f"PyTorch {r['torch']} on {r['device']}")
rows = [("mlp step (ms)", "mlp_ms"), ("conv step (ms)", "conv_ms"), ("crossreg_noise epoch (ms)", "epoch_ms")]
if a.tfjs:
    with open(a.tfjs) as f:
        t = json.load(f)
    print(f"tfjs: {t['backend']}")
    print(f"| {'what':28} | {'tfjs':>10} | {'PyTorch':>10} | {'tfjs/PyTorch':>12} |")
    print(f"|{'-' * 30}|{'-' * 12}|{'-' * 12}|{'-' * 14}|")
    for name, k in rows:
        print(f"| {name:28} | {t[k]:10.2f} | {r[k]:10.2f} | {t[k] / r[k]:11.2f}x |")
else:
    for name, k in rows:
        print(f"{name}: {r[k]:.2f}")
