import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  OpenAiVideoContentQuerySchema,
  OpenAiVideoCreateRequestSchema,
  OpenAiVideoDeletedSchema,
  OpenAiVideoListQuerySchema,
  OpenAiVideoListSchema,
  OpenAiVideoSchema,
  UuidSchema,
} from '@cineweave/contracts';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CurrentPrincipal } from '../../core/auth/current-principal.decorator.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { CurrentAccount } from '../accounts/current-account.decorator.ts';
import { openApiSchemaOf, RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { MAX_UPLOAD_BYTES } from '../uploads/image-inspection.ts';
import { VideosService } from './videos.service.ts';

/** Takes JSON and multipart bodies (see json-body.ts). */
export const VIDEOS_PATH = '/v1/videos';

class CreateVideoDto extends zodDto(OpenAiVideoCreateRequestSchema) {}
class VideoListQuery extends zodDto(OpenAiVideoListQuerySchema) {}
class VideoContentQuery extends zodDto(OpenAiVideoContentQuerySchema) {}
class VideoIdParams extends zodDto(z.strictObject({ id: UuidSchema })) {}

/**
 * OpenAI's videos API, as the `openai` client and vLLM-Omni's clients call it, over CineWeave's
 * jobs: same API keys, credits, idempotency and limits as `/v1/jobs`. Errors are problem+json.
 */
@ApiTags('videos (OpenAI-compatible)')
@ApiBearerAuth()
@Controller(VIDEOS_PATH.slice(1))
export class VideosController {
  constructor(private readonly videos: VideosService) {}

  @Post()
  @ApiOperation({ summary: 'Create a video (OpenAI videos API)' })
  @HttpCode(200)
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiBody({
    description:
      'OpenAI fields (`prompt`, `model`, `size`, `seconds`, `input_reference` as a file or as `{image_url | file_id}`) and CineWeave extras (`negative_prompt`, `seed`, `steps`, `guidance_scale`, `fps`). Sizes are CineWeave resolutions; a multipart form sends numbers as strings.',
    schema: {
      ...openApiSchemaOf(OpenAiVideoCreateRequestSchema.extend({ input_reference: z.any().optional() })),
      example: {
        prompt: 'A paper boat drifting across a pond in the rain',
        size: '1280x704',
        seconds: '5',
        seed: 42,
      },
    },
  })
  @UseInterceptors(
    FileInterceptor('input_reference', {
      limits: { fileSize: MAX_UPLOAD_BYTES, files: 1, fields: 20, parts: 21, fieldSize: 16 * 1024 },
    }),
  )
  @RespondsWith(OpenAiVideoSchema, 200, 'The video, queued, with its credits reserved')
  async create(
    @CurrentPrincipal() principal: Principal,
    @CurrentAccount('member') team: Account,
    @Body() body: CreateVideoDto,
    @UploadedFile() file: { buffer: Buffer } | undefined,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    // A retry with the same Idempotency-Key must send the same fields and the same image bytes.
    const fingerprint = {
      fields: request.body as unknown,
      ...(file ? { image: createHash('sha256').update(file.buffer).digest('hex') } : {}),
    };
    const answer = await this.videos.create(
      principal,
      team,
      body,
      file?.buffer,
      fingerprint,
      request.header('idempotency-key'),
    );
    response.status(answer.status === 202 ? 200 : answer.status);
    if (answer.replayed) response.setHeader('Idempotent-Replayed', 'true');
    if (answer.status >= 400) response.type('application/problem+json');
    return answer.body;
  }

  @Get()
  @ApiOperation({ summary: 'List your videos, newest first (OpenAI videos API)' })
  @RespondsWith(OpenAiVideoListSchema)
  list(@CurrentAccount() account: Account, @Query() query: VideoListQuery) {
    return this.videos.list(account, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a video (OpenAI videos API)' })
  @RespondsWith(OpenAiVideoSchema)
  get(@CurrentAccount() account: Account, @Param() params: VideoIdParams) {
    return this.videos.get(account, params.id);
  }

  @Get(':id/content')
  @ApiOperation({ summary: "Download a video's MP4 or thumbnail bytes (OpenAI videos API)" })
  @ApiResponse({
    status: 200,
    description: 'The MP4 (variant=video) or the WebP thumbnail (variant=thumbnail)',
    content: {
      'video/mp4': { schema: { type: 'string', format: 'binary' } },
      'image/webp': { schema: { type: 'string', format: 'binary' } },
    },
  })
  async content(
    @CurrentAccount() account: Account,
    @Param() params: VideoIdParams,
    @Query() query: VideoContentQuery,
    @Res() response: Response,
  ) {
    const object = await this.videos.content(account, params.id, query.variant);
    response.status(200).type(object.contentType).setHeader('Content-Length', String(object.size));
    object.body.on('error', () => response.destroy());
    object.body.pipe(response);
  }

  @Delete(':id')
  @ApiOperation({
    summary: "Cancel an unfinished video, or delete a finished one's files (OpenAI videos API)",
  })
  @RespondsWith(
    OpenAiVideoDeletedSchema,
    200,
    'Cancelled with its credits released, or its finished outputs deleted',
  )
  async remove(@CurrentAccount('member') account: Account, @Param() params: VideoIdParams) {
    await this.videos.remove(account, params.id);
    return { id: params.id, object: 'video.deleted' as const, deleted: true as const };
  }
}
