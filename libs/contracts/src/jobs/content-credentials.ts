import { z } from 'zod';

/**
 * How a delivered file's C2PA manifest verified when the worker read it back: `trusted` (the
 * signer chains to a C2PA trust list the reader knows), `valid` (signature and hash binding hold,
 * the signer is simply not on a trust list: a private or test CA), `invalid` (anything else).
 */
export const ContentCredentialsValidationSchema = z.enum(['trusted', 'valid', 'invalid']);

/**
 * The C2PA Content Credentials of a job's video, as the library's reader saw them after signing:
 * the worker reports it with a succeeded result, the API stores it and returns it on the job.
 */
export const ContentCredentialsSummarySchema = z.strictObject({
  /** The active manifest's label (`urn:c2pa:...`). */
  manifestLabel: z.string().min(1),
  /** Common name of the signing certificate. */
  signer: z.string().min(1),
  /** Organization of the signing certificate's issuer. */
  issuer: z.string().nullable(),
  /** When the video was made, as its `c2pa.created` action says. */
  created: z.iso.datetime({ offset: true }).nullable(),
  /** The claim generator (`CineWeave 0.1.0`). */
  generator: z.string().nullable(),
  modelId: z.string(),
  weightsHash: z.string(),
  jobId: z.string(),
  validation: ContentCredentialsValidationSchema,
  /** Validation failure codes (C2PA's), e.g. `signingCredential.untrusted` for a test chain. */
  validationFailures: z.array(z.string().max(200)).max(50),
});
export type ContentCredentialsSummary = z.infer<typeof ContentCredentialsSummarySchema>;
