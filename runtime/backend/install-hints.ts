// How to get each optional backend package, for Left messages.
export const TFJS_NODE_VERSION = '4.22.0';

export const installHint = {
  webgpu:
    'a GPU whose Vulkan driver Dawn can use (on Linux: libvulkan1 and the vendor\'s Vulkan driver, e.g. NVIDIA\'s) and ' +
    'the optional webgpu package (npm install webgpu@^0.6.2: Dawn for Node with a prebuilt dawn.node, nothing downloaded at install time)',
  tensorflow:
    `npm install @tensorflow/tfjs-node@${TFJS_NODE_VERSION} (optional; its install script downloads the native ` +
    'TensorFlow C library (libtensorflow, ~100 MB+) for linux/macOS/windows x64 or macOS arm64, so it needs network ' +
    'access and a supported platform at install time; its @tensorflow/tfjs-core must dedupe to the one xreg uses)',
  'tensorflow-gpu':
    `npm install @tensorflow/tfjs-node-gpu@${TFJS_NODE_VERSION} (optional; Linux x64 only; downloads the GPU build ` +
    'of libtensorflow at install time and needs an NVIDIA driver with CUDA 11.2 and cuDNN 8.1 at run time)',
  wasm: 'npm install @tensorflow/tfjs-backend-wasm@^4.22.0 (a regular dependency of xreg; reinstall node_modules)',
  cpu: 'npm install @tensorflow/tfjs-backend-cpu@^4.22.0 (a regular dependency of xreg; reinstall node_modules)',
} as const;
