// The C2PA library: c2pa-rs compiled to WebAssembly (@contentauth/c2pa-wasm). Chosen over the
// native @contentauth/c2pa-node because that package downloads a prebuilt binary in a postinstall
// script, which offline machines and locked-down image builds cannot do; the wasm build is plain
// files in the npm tarball and runs the same Rust code (builder, signer, reader, validator).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { initSync, WasmBuilder, WasmReader } from '@contentauth/c2pa-wasm';

/**
 * The bindings read assets as browser `Blob`s through `FileReaderSync`, which Node lacks; the Rust
 * side only asks a blob for its `size` and its bytes, so an in-memory stand-in does. (Reading uses
 * `WasmReader.fromBytes`, which needs no blob at all.)
 */
export class BytesBlob {
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  get size(): number {
    return this.bytes.byteLength;
  }
  slice(start = 0, end = this.bytes.byteLength): BytesBlob {
    return new BytesBlob(this.bytes.subarray(start, end));
  }
  /** Typed as the browser Blob the bindings declare; see the class comment. */
  asBlob(): Blob {
    return this as unknown as Blob;
  }
}

class BytesFileReaderSync {
  readAsArrayBuffer(blob: BytesBlob): ArrayBuffer {
    // A copy: a Node Buffer's `.buffer` is a shared pool, longer than the bytes it views.
    return Uint8Array.from(blob.bytes).buffer;
  }
}

let loaded = false;

/** Compiles the ~9 MB module once per process (synchronously, about 100 ms). */
export function c2pa(): { WasmBuilder: typeof WasmBuilder; WasmReader: typeof WasmReader } {
  if (!loaded) {
    const global = globalThis as { FileReaderSync?: unknown };
    global.FileReaderSync ??= BytesFileReaderSync;
    const require = createRequire(import.meta.url);
    initSync({ module: readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });
    loaded = true;
  }
  return { WasmBuilder, WasmReader };
}
