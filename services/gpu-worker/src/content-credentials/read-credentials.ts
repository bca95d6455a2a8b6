import type { ContentCredentialsSummary } from '@cineweave/contracts';
import { c2pa } from './c2pa-wasm.ts';
import { GENERATION_ASSERTION, type AssetFormat } from './manifest.ts';

/** The reader's view of one asset, as c2pa-rs reports it (only the fields we use are typed). */
export interface CredentialsReport {
  active_manifest?: string;
  manifests: Record<string, ReportManifest>;
  validation_state?: 'Invalid' | 'Valid' | 'Trusted';
  validation_results?: {
    activeManifest?: { success: StatusEntry[]; informational: StatusEntry[]; failure: StatusEntry[] };
  };
}
export interface StatusEntry {
  code: string;
  explanation?: string;
  url?: string;
}
interface ReportManifest {
  title?: string;
  claim_generator_info?: { name: string; version?: string }[];
  assertions: { label: string; data: Record<string, unknown> }[];
  ingredients?: { title?: string; format?: string; relationship?: string }[];
  signature_info?: { alg?: string; common_name?: string; issuer?: string; time?: string };
}

/**
 * Reads and validates an asset's manifest store with the library's reader (signature, hash
 * binding, assertion hashes). Throws when the asset carries no manifest at all.
 */
export async function readCredentials(bytes: Uint8Array, format: AssetFormat): Promise<CredentialsReport> {
  const { WasmReader } = c2pa();
  const reader = await WasmReader.fromBytes(format, bytes);
  try {
    return JSON.parse(reader.json()) as CredentialsReport;
  } finally {
    reader.free();
  }
}

/** Codes that are not failures of the file: a test or private CA is simply not on the C2PA list. */
const UNTRUSTED_SIGNER = 'signingCredential.untrusted';

/** The summary the API stores and shows: who signed, when, what made it, and whether it verifies. */
export function summarize(report: CredentialsReport): ContentCredentialsSummary {
  const label = report.active_manifest;
  const manifest = label ? report.manifests[label] : undefined;
  if (!label || !manifest) throw new Error('The asset has no active C2PA manifest');
  const failures = report.validation_results?.activeManifest?.failure.map((entry) => entry.code) ?? [];
  const generation = manifest.assertions.find((a) => a.label === GENERATION_ASSERTION)?.data ?? {};
  const created = manifest.assertions
    .filter((a) => a.label === 'c2pa.actions.v2' || a.label === 'c2pa.actions')
    .flatMap((a) => (a.data['actions'] as { action: string; when?: string }[] | undefined) ?? [])
    .find((action) => action.action === 'c2pa.created');
  const generator = manifest.claim_generator_info?.[0];
  return {
    manifestLabel: label,
    signer: manifest.signature_info?.common_name ?? 'unknown',
    issuer: manifest.signature_info?.issuer ?? null,
    created: created?.when ?? manifest.signature_info?.time ?? null,
    generator: generator ? `${generator.name}${generator.version ? ` ${generator.version}` : ''}` : null,
    modelId: String(generation['modelId'] ?? ''),
    weightsHash: String(generation['weightsHash'] ?? ''),
    jobId: String(generation['jobId'] ?? ''),
    validation: validationOf(report.validation_state, failures),
    validationFailures: failures,
  };
}

function validationOf(
  state: CredentialsReport['validation_state'],
  failures: string[],
): ContentCredentialsSummary['validation'] {
  if (state === 'Trusted') return 'trusted';
  if (state === 'Valid') return failures.every((code) => code === UNTRUSTED_SIGNER) ? 'valid' : 'invalid';
  return 'invalid';
}
