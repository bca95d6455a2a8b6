import { Controller, HttpCode, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UploadViewSchema } from '@cineweave/contracts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';
import { MAX_UPLOAD_BYTES } from './image-inspection.ts';
import { UploadsService } from './uploads.service.ts';

/** The one route that reads multipart bodies; every other body is JSON (see json-body.ts). */
export const UPLOADS_PATH = '/v1/uploads';

interface UploadedImage {
  buffer: Buffer;
  size: number;
}

@ApiTags('uploads')
@ApiBearerAuth()
@Controller(UPLOADS_PATH.slice(1))
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  /** Multipart, field `file`: a PNG, JPEG or WebP image of at most 10 MB and 4096x4096. */
  @Post()
  @ApiOperation({ summary: 'Upload an input image for image-to-video' })
  @HttpCode(201)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'multipart/form-data with the image in the field `file` (PNG, JPEG or WebP; at most 10 MB and 4096x4096)',
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  @RespondsWith(UploadViewSchema, 201, 'The stored image: name its id in a job as image.uploadId')
  @UseInterceptors(
    FileInterceptor('file', {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 4, parts: 5, fieldSize: 1024 },
    }),
  )
  async create(@CurrentAccount('member') account: Account, @UploadedFile() file: UploadedImage | undefined) {
    if (!file) {
      throw new DomainError(
        'VALIDATION_FAILED',
        'Send the image as multipart/form-data in the field "file".',
        [{ field: 'file', message: 'is required' }],
      );
    }
    return this.uploads.create(account, file.buffer);
  }
}
