import type { ContentCredentialsSummary } from '@cineweave/contracts';
import { readFile, writeFile } from 'node:fs/promises';
import { BytesBlob, c2pa } from './c2pa-wasm.ts';
import { createClaimSigner, type ClaimSigner } from './cose-signer.ts';
import {
  inputImageIngredient,
  manifestDefinition,
  type AssetFormat,
  type GenerationFacts,
} from './manifest.ts';
import { readCredentials, summarize } from './read-credentials.ts';

/**
 * Signs delivered files with a C2PA manifest (c2pa-rs through its wasm build): for an MP4 the
 * builder binds the manifest with a BMFF hash (`c2pa.hash.bmff.v3`) and puts the manifest store
 * in a `uuid` box right after `ftyp`, so `moov` still precedes `mdat` (faststart is kept). Every
 * signed MP4 is read back and validated before it is delivered: a manifest that does not verify
 * is a bug, never something to ship.
 */
export class ContentSigner {
  // A plain field (no parameter property): the bench and CLIs run this file with Node's type stripping.
  private readonly signer: ClaimSigner;

  private constructor(signer: ClaimSigner) {
    this.signer = signer;
  }

  static async fromFiles(certFile: string, keyFile: string): Promise<ContentSigner> {
    const [certificate, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    c2pa(); // Compile the module now: a broken install fails at start, not on the first job.
    return new ContentSigner(createClaimSigner(certificate, key));
  }

  /** Signs the MP4 at `inputPath` into `outputPath`; returns what the reader says of it. */
  async signMp4(
    inputPath: string,
    outputPath: string,
    facts: GenerationFacts,
  ): Promise<ContentCredentialsSummary> {
    const signed = await this.sign(await readFile(inputPath), 'video/mp4', 'video.mp4', facts);
    const summary = summarize(await readCredentials(signed, 'video/mp4'));
    if (summary.validation === 'invalid') {
      throw new Error(`The signed video does not verify: ${summary.validationFailures.join(', ')}`);
    }
    await writeFile(outputPath, signed);
    return summary;
  }

  /** Signs a WebP (the thumbnail) in memory. */
  async signWebp(bytes: Uint8Array, facts: GenerationFacts): Promise<Uint8Array> {
    return this.sign(bytes, 'image/webp', 'thumbnail.webp', facts);
  }

  private async sign(
    bytes: Uint8Array,
    format: AssetFormat,
    title: string,
    facts: GenerationFacts,
  ): Promise<Uint8Array> {
    const { WasmBuilder } = c2pa();
    const builder = WasmBuilder.fromJson(JSON.stringify(manifestDefinition(facts, format, title)));
    try {
      if (facts.inputImage) {
        await builder.addIngredientFromBlob(
          JSON.stringify(inputImageIngredient(facts.inputImage)),
          facts.inputImage.format,
          new BytesBlob(facts.inputImage.bytes).asBlob(),
        );
      }
      return await builder.sign(this.signer, [], format, new BytesBlob(bytes).asBlob());
    } finally {
      builder.free();
    }
  }
}
