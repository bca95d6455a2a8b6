// Compiles src/scheduler/kernel/unipc-kernel.wat into src/scheduler/kernel/unipc-kernel-wasm.ts
// (the bytes as base64, so the kernel ships inside the module graph with no asset to copy or
// load at run time). `--check` exits 1 when the committed file is not what the .wat gives.
//
//   npm run -w models/wan22 build-kernels [-- --check]
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { compileKernel, KERNEL_TS, kernelModuleSource } from './kernel-source.ts';

const check = process.argv.includes('--check');
const bytes = await compileKernel();
const wanted = kernelModuleSource(bytes);
const path = fileURLToPath(KERNEL_TS);
if (check) {
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current !== wanted) {
    console.error(
      `${path} is not what unipc-kernel.wat compiles to: run npm run -w models/wan22 build-kernels`,
    );
    process.exit(1);
  }
  console.log(`${path} matches unipc-kernel.wat (${bytes.length} bytes)`);
} else {
  await writeFile(path, wanted);
  console.log(`wrote ${path} (${bytes.length} bytes of wasm)`);
}
