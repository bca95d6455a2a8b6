import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AuditPageSchema, AuditQuerySchema } from '@cineweave/contracts';
import type { Response } from 'express';
import { AdminOnly } from '../../core/auth/auth.decorators.ts';
import { RespondsWith } from '../../core/http/responds-with.ts';
import { zodDto } from '../../core/http/zod-dto.ts';
import { AuditService, auditCsv } from './audit.service.ts';

class AuditQueryDto extends zodDto(AuditQuerySchema) {}

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  /** The audit log, newest first, filtered; `format=csv` exports every matching row. */
  @Get()
  @ApiOperation({ summary: 'The audit log, newest first, with filters; format=csv exports it (admin)' })
  @RespondsWith(AuditPageSchema)
  @ApiResponse({
    status: 200,
    description: 'With format=csv: every matching row as CSV (before/after as JSON text)',
    content: { 'text/csv': { schema: { type: 'string' } } },
  })
  async list(@Query() query: AuditQueryDto, @Res({ passthrough: true }) response: Response) {
    if (query.format === 'json') return this.audit.list(query);
    response.type('text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', 'attachment; filename="cineweave-audit.csv"');
    return auditCsv(await this.audit.all(query));
  }
}
