import { CreateJobRequestSchema, JobStatusSchema, UuidSchema } from '@cineweave/contracts';
import { z } from 'zod';
import { PageQueryFields } from '../../core/http/cursor.ts';
import { zodDto } from '../../core/http/zod-dto.ts';

export class CreateJobDto extends zodDto(CreateJobRequestSchema) {}
export class JobIdParams extends zodDto(z.strictObject({ id: UuidSchema })) {}
export class ListJobsQuery extends zodDto(
  z.strictObject({ ...PageQueryFields, status: JobStatusSchema.optional() }),
) {}
