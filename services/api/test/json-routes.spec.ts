import { Controller, Delete, Get, Header, HttpCode, Post } from '@nestjs/common';
import { ApiProduces, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { RespondsWith } from '../src/core/http/responds-with.ts';
import { routeAnswersOf } from './support/json-routes.ts';

@Controller('v1/things')
class ThingsController {
  @Get()
  @RespondsWith(z.object({ items: z.array(z.string()) }))
  list() {
    return { items: [] };
  }

  @Post()
  create() {
    return { id: 'new' };
  }

  @Get(':id/link')
  @ApiResponse({ status: 302, description: 'Redirect' })
  @ApiResponse({ status: 200, content: { 'application/json': { schema: { type: 'object' } } } })
  link() {
    return { url: 'https://example.test' };
  }

  @Delete(':id')
  @HttpCode(204)
  remove() {
    return undefined;
  }

  @Get(':id/events')
  @ApiProduces('text/event-stream')
  events() {
    return undefined;
  }

  @Get(':id/bytes')
  @ApiResponse({ status: 200, content: { 'video/mp4': { schema: { type: 'string' } } } })
  bytes() {
    return undefined;
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  metrics() {
    return '';
  }
}

describe('routeAnswersOf', () => {
  it('should call a route JSON unless it answers 204, fixes another type or documents only other media', () => {
    expect(routeAnswersOf(ThingsController)).toEqual([
      { route: 'GET /v1/things', hasContract: true, answersJson: true },
      { route: 'POST /v1/things', hasContract: false, answersJson: true },
      { route: 'GET /v1/things/:id/link', hasContract: false, answersJson: true },
      { route: 'DELETE /v1/things/:id', hasContract: false, answersJson: false },
      { route: 'GET /v1/things/:id/events', hasContract: false, answersJson: false },
      { route: 'GET /v1/things/:id/bytes', hasContract: false, answersJson: false },
      { route: 'GET /v1/things/metrics', hasContract: false, answersJson: false },
    ]);
  });
});
