import { createPrivateKey, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { encode, Tag } from 'cbor2';

/** What the wasm builder calls to sign a claim (its `SignerDefinition`). */
export interface ClaimSigner {
  alg: 'es256' | 'es384' | 'ed25519';
  reserveSize: number;
  sign(claim: Uint8Array): Promise<Uint8Array<ArrayBuffer>>;
}

/** COSE algorithm ids (RFC 9053) and the digest each signs with. */
const ALGORITHMS = {
  es256: { cose: -7, digest: 'sha256' },
  es384: { cose: -35, digest: 'sha384' },
  ed25519: { cose: -8, digest: null },
} as const;

const COSE_SIGN1_TAG = 18;
const HEADER_ALG = 1;
const HEADER_X5CHAIN = 33;
/** Room for the signature structure: the chain plus headroom for the signature and headers. */
const HEADROOM = 2048;

/**
 * Builds the claim's COSE_Sign1 itself. The wasm build hands the claim bytes to JavaScript and
 * expects the whole COSE structure back (c2pa-rs "direct COSE handling"): protected header with
 * the algorithm and the x5chain, detached payload, and an unprotected `pad` that makes the
 * structure exactly `reserveSize` bytes, the size of the box the builder set aside.
 */
export function createClaimSigner(certificatePem: string, privateKeyPem: string): ClaimSigner {
  const chain = splitPem(certificatePem).map((pem) => new X509Certificate(pem));
  const [leaf] = chain;
  if (!leaf) throw new Error('The certificate file holds no PEM certificate');
  const key = createPrivateKey(privateKeyPem);
  if (!leaf.checkPrivateKey(key)) {
    throw new Error("The private key does not belong to the certificate's first (signing) certificate");
  }
  const alg = algorithmOf(key);
  const protectedHeader = encode(
    new Map<number, unknown>([
      [HEADER_ALG, ALGORITHMS[alg].cose],
      [HEADER_X5CHAIN, chain.map((cert) => new Uint8Array(cert.raw))],
    ]),
  );
  const reserveSize = protectedHeader.byteLength + HEADROOM;
  return {
    alg,
    reserveSize,
    sign: async (claim) => {
      // Sig_structure for COSE_Sign1 (RFC 9052 §4.4), no external AAD.
      const toBeSigned = encode(['Signature1', protectedHeader, new Uint8Array(0), claim]);
      const signature = new Uint8Array(
        sign(ALGORITHMS[alg].digest, toBeSigned, { key, dsaEncoding: 'ieee-p1363' }),
      );
      return padded(reserveSize, (pad) =>
        encode(
          new Tag(COSE_SIGN1_TAG, [
            protectedHeader,
            new Map([['pad', new Uint8Array(pad)]]),
            null,
            signature,
          ]),
        ),
      );
    },
  };
}

/** Grows the pad until the encoding is exactly `size` bytes (its length prefix grows in steps). */
function padded(size: number, build: (pad: number) => Uint8Array): Uint8Array<ArrayBuffer> {
  let pad = Math.max(0, size - build(0).byteLength);
  for (let tries = 0; tries < 4; tries++) {
    const out = build(pad);
    if (out.byteLength === size) return new Uint8Array(out);
    pad += size - out.byteLength;
    if (pad < 0) break;
  }
  throw new Error(`The COSE signature does not fit its ${size}-byte box`);
}

function algorithmOf(key: KeyObject): ClaimSigner['alg'] {
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'es256';
  if (key.asymmetricKeyType === 'ec' && details?.namedCurve === 'secp384r1') return 'es384';
  throw new Error(
    `Content Credentials keys must be EC P-256, EC P-384 or Ed25519 (got ${key.asymmetricKeyType} ${details?.namedCurve ?? ''})`.trim(),
  );
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
