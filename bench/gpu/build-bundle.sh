#!/bin/sh
# Builds bench/gpu/out/bundle: everything the GPU device check needs on a machine with no network,
# no node_modules and maybe no Node.js, under the device's 64 MiB carry limit (checked at the end).
#   xreg-gpu.mjs        esbuild single file: the CLI, kernel-check, steps (bench/gpu/entry.ts)
#   dawn.node.xz        Dawn for Node (linux-x64, from the `webgpu` package), xz-compressed
#   node.xz             this machine's Node.js binary ($NODE, default: the `node` on PATH)
#   *.wasm              tfjs-backend-wasm's binaries (the reference backend of the heavy programs)
#   programs/           the programs the kernel check steps
#   debs/               the Vulkan loader and GL dispatch .debs the device README names
#   torch_steps.py, device-check.sh
# Run from the repository root:  sh bench/gpu/build-bundle.sh
set -eu
out=bench/gpu/out/bundle
limit=$((64 * 1024 * 1024))
rm -rf "$out"
mkdir -p "$out/debs"

# tfjs packages mark only their ESM files as having side effects; the Node builds they resolve to
# register backends and kernels on import, so the annotations must not drop those imports. CommonJS
# code inside (commander, tfjs-backend-wasm's loader) wants require and __dirname of an ES module.
npx esbuild bench/gpu/entry.ts --bundle --platform=node --format=esm --target=node20 \
  --outfile="$out/xreg-gpu.mjs" --log-level=warning --ignore-annotations \
  --banner:js="import { createRequire as xregCreateRequire } from 'node:module'; import { fileURLToPath as xregPath } from 'node:url'; import { dirname as xregDirname } from 'node:path'; const require = xregCreateRequire(import.meta.url); const __filename = xregPath(import.meta.url); const __dirname = xregDirname(__filename);"
xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node >"$out/dawn.node.xz"
xz -T2 -6 -c "${NODE:-$(command -v node)}" >"$out/node.xz"
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$out/"
cp -r programs "$out/programs"
cp bench/gpu/torch_steps.py bench/gpu/device-check.sh "$out/"

# The loaders, fetched for amd64 whatever this machine is (as the device README says). A machine
# without Debian's apt builds the bundle without them; the device script says so if Vulkan is absent.
if command -v apt-get >/dev/null 2>&1; then
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  mkdir -p /tmp/amd64/partial
  # shellcheck disable=SC2086
  [ -e /tmp/amd64/lock ] || apt-get $o update >/dev/null
  # shellcheck disable=SC2086
  (cd "$out/debs" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null)
fi

# The device carries the working tree (tracked and untracked-not-ignored files) with the bundle.
bundle=$(du -sb "$out" | cut -f1)
tree=$({ git ls-files -z; git ls-files -z --others --exclude-standard; } | du --files0-from=- -cb | tail -1 | cut -f1)
size=$((bundle + tree))
echo "bundle: $out, $bundle bytes; with the working tree ($tree bytes): $size of $limit ($(( size * 100 / limit ))%)"
du -b "$out"/* | sort -n | tail -5
if [ "$size" -ge "$limit" ]; then
  echo "error: the bundle and the working tree are over the 64 MiB the device carries" >&2
  exit 1
fi
