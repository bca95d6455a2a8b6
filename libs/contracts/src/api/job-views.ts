import { z } from 'zod';
import { JobViewSchema } from './api-shapes.ts';
import { pageOf } from './page.ts';

/** `GET /v1/jobs`: the account's jobs, newest first. */
export const JobPageSchema = pageOf(JobViewSchema);

/** `POST /v1/uploads`: an input image, checked and stored, to name in a job's `image.uploadId`. */
export const UploadViewSchema = z.object({
  id: z.uuid(),
  width: z.int().min(1),
  height: z.int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type UploadView = z.infer<typeof UploadViewSchema>;

/** `GET /v1/jobs/:id/video` and `/thumbnail` asked for JSON: the presigned link itself. */
export const OutputLinkSchema = z.object({ url: z.url() });
export type OutputLink = z.infer<typeof OutputLinkSchema>;

/** Presigned links to a succeeded job's outputs, straight from the object store. */
export const JobDownloadsSchema = z.object({
  video: z.url(),
  thumbnail: z.url(),
  /** When the links stop working (taken before signing, so never later than theirs). */
  expiresAt: z.iso.datetime({ offset: true }),
});
export type JobDownloads = z.infer<typeof JobDownloadsSchema>;

/** `GET /internal/v1/jobs/:id`, for the operator: the job view, its place in the queue, fresh output links. */
export const InternalJobViewSchema = JobViewSchema.extend({
  queuePosition: z.int().min(0).nullable().optional(),
  downloads: JobDownloadsSchema.optional(),
});
export type InternalJobView = z.infer<typeof InternalJobViewSchema>;

/** `GET /internal/v1/users/{userId}/personal-team`: the team a legacy `cineweave.io/account` annotation charges. */
export const InternalPersonalTeamSchema = z.object({ teamId: z.uuid(), name: z.string() });
export type InternalPersonalTeam = z.infer<typeof InternalPersonalTeamSchema>;
