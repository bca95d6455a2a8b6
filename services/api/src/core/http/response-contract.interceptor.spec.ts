import 'reflect-metadata';
import { Controller, Get, type INestApplication, Module, Post, Res } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import type { Response } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ProblemDetailsFilter } from '../errors/problem-details.filter.ts';
import { RespondsWith } from './responds-with.ts';
import { ResponseContractInterceptor } from './response-contract.interceptor.ts';

const ThingSchema = z.object({ id: z.int(), name: z.string() });

@Controller()
class ThingsController {
  @Get('thing')
  @RespondsWith(ThingSchema)
  thing() {
    return { id: 1, name: 'lamp', secret: 'internal column' };
  }

  @Get('broken')
  @RespondsWith(ThingSchema)
  broken() {
    return { id: 'one', name: 'lamp' };
  }

  @Post('refused')
  @RespondsWith(ThingSchema)
  refused(@Res({ passthrough: true }) response: Response) {
    // An error body the route sets itself (as admission does for a replayed 4xx) is not a Thing.
    response.status(409);
    return { title: 'Conflict' };
  }

  @Get('csv')
  @RespondsWith(ThingSchema)
  csv(@Res({ passthrough: true }) response: Response) {
    response.type('text/csv');
    return 'id,name\n1,lamp\n';
  }

  @Get('undeclared')
  undeclared() {
    return { anything: true };
  }
}

@Module({
  controllers: [ThingsController],
  providers: [
    { provide: APP_FILTER, useClass: ProblemDetailsFilter },
    { provide: APP_INTERCEPTOR, useClass: ResponseContractInterceptor },
  ],
})
class ThingsModule {}

describe('ResponseContractInterceptor', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await NestFactory.create(ThingsModule, { logger: false });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('should send only the fields the contract names when the answer has more', async () => {
    const response = await request(app.getHttpServer()).get('/thing').expect(200);
    expect(response.body).toEqual({ id: 1, name: 'lamp' });
  });

  it('should answer 500 problem+json without the broken body when an answer breaks its contract', async () => {
    const response = await request(app.getHttpServer()).get('/broken').expect(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(response.body)).not.toContain('one');
  });

  it('should leave an error answer alone when the route sets a 4xx status itself', async () => {
    const response = await request(app.getHttpServer()).post('/refused').expect(409);
    expect(response.body).toEqual({ title: 'Conflict' });
  });

  it('should leave another representation alone when the route set a non-JSON type', async () => {
    const response = await request(app.getHttpServer()).get('/csv').expect(200);
    expect(response.text).toBe('id,name\n1,lamp\n');
  });

  it('should pass an answer through unchanged when the route declares no contract', async () => {
    await request(app.getHttpServer()).get('/undeclared').expect(200, { anything: true });
  });
});
