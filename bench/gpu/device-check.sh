#!/bin/sh
# The GPU device check, run inside the bundle folder (bench/gpu/build-bundle.sh) on a lent machine:
#   sh bench/gpu/out/bundle/device-check.sh
# 1. unpacks Node.js and Dawn, and the Vulkan loader .debs (the device README's recipe);
# 2. says whether a GPU and a WebGPU adapter are seen (one line, and a stop, if not);
# 3. every program's step on webgpu against tfjs-cpu / wasm (relative error 1e-3);
# 4. MLP, conv and one crossreg_noise epoch on webgpu, then the same in PyTorch CUDA, with ratios.
# Logs go to $OUT (the device tool's folder) or to the bundle folder.
set -u
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
cd "$(dirname "$0")"
log=${OUT:-.}
python3 -c "
import lzma, shutil
for f in ('node', 'dawn.node'):
    with lzma.open(f + '.xz') as src, open(f, 'wb') as dst:
        shutil.copyfileobj(src, dst)
" || exit 1
chmod +x node
echo "node $(./node --version)"
# Only on the device: unpacking into / elsewhere would leave files no package owns.
if nvidia-smi -L >/dev/null 2>&1 && ! ldconfig -p | grep -q libvulkan.so.1; then
  if ls debs/*.deb >/dev/null 2>&1; then
    for f in debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
fi
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES="$icd"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo "nvidia-smi: no NVIDIA GPU seen"

# The kernels the steps run that webgpu lacks: needs no GPU.
./node xreg-gpu.mjs kernels 2>&1 | grep -v '^Warning\|^ - \|^    at ' | tail -3
# Stops here, with one line, when Dawn finds no adapter.
./node xreg-gpu.mjs xreg run programs/crossreg/ridge.xreg --backend webgpu --steps 100 --out /tmp/xreg-ridge >"$log/ridge.log" 2>&1
status=$?
grep -E '^(backend|error|done)' "$log/ridge.log"
[ $status -eq 0 ] || exit 1

./node xreg-gpu.mjs check >"$log/check.log" 2>&1
grep -E '^(target|ok|FAIL|host|kernels|programs|  )' "$log/check.log"
./node xreg-gpu.mjs steps --json tfjs.json 2>&1 | grep -v '^Warning\|^ - \|^    at '
PYTHONUNBUFFERED=1 python3 torch_steps.py --tfjs tfjs.json
