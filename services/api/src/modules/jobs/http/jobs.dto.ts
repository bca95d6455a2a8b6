import { CreateJobRequestSchema, JobStatusSchema, UuidSchema } from '@cineweave/contracts';
import { z } from 'zod';
import { PageQueryFields } from '../../../core/http/cursor.ts';
import { zodDto } from '../../../core/http/zod-dto.ts';

export class CreateJobDto extends zodDto(CreateJobRequestSchema) {}
export class JobIdParams extends zodDto(z.strictObject({ id: UuidSchema })) {}
export class ListJobsQuery extends zodDto(
  z.strictObject({ ...PageQueryFields, status: JobStatusSchema.optional() }),
) {}
export class VideoLinkQuery extends zodDto(
  z.strictObject({
    /** `1`: the link makes browsers save the file (Content-Disposition: attachment) instead of playing it. */
    download: z.enum(['0', '1']).optional(),
  }),
) {}
