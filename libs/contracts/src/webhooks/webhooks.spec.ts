import { describe, expect, it } from 'vitest';
import { CreateJobRequestSchema } from '../jobs/job-parameters.ts';
import { CreateWebhookRequestSchema, UpdateWebhookRequestSchema, WEBHOOK_EVENT_TYPES } from './webhooks.ts';

describe('CreateWebhookRequestSchema', () => {
  it('should default to every event type and drop duplicates', () => {
    expect(CreateWebhookRequestSchema.parse({ url: 'https://hooks.example.com/cw' })).toEqual({
      url: 'https://hooks.example.com/cw',
      description: '',
      eventTypes: [...WEBHOOK_EVENT_TYPES],
      creditsLowThreshold: 100,
    });
    expect(
      CreateWebhookRequestSchema.parse({
        url: 'https://h.example/x',
        eventTypes: ['job.failed', 'job.failed'],
      }).eventTypes,
    ).toEqual(['job.failed']);
  });

  it.each([
    [{ url: 'ftp://h.example/x' }, 'url'],
    [{ url: 'not a url' }, 'url'],
    [{ url: 'https://user:secret@h.example/x' }, 'url'],
    [{ url: 'https://h.example/x', eventTypes: ['job.done'] }, 'eventTypes.0'],
    [{ url: 'https://h.example/x', eventTypes: [] }, 'eventTypes'],
    [{ url: 'https://h.example/x', creditsLowThreshold: 0 }, 'creditsLowThreshold'],
    [{ url: 'https://h.example/x', secret: 'whsec_x' }, ''],
  ])('should refuse %j at %s', (body, field) => {
    const result = CreateWebhookRequestSchema.safeParse(body);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });
});

describe('UpdateWebhookRequestSchema', () => {
  it('should refuse an empty change', () => {
    expect(UpdateWebhookRequestSchema.safeParse({}).success).toBe(false);
    expect(UpdateWebhookRequestSchema.safeParse({ enabled: true }).success).toBe(true);
  });
});

describe('CreateJobRequestSchema webhookUrl', () => {
  it('should take an http(s) URL and refuse anything else', () => {
    expect(
      CreateJobRequestSchema.parse({ prompt: 'x', webhookUrl: 'https://h.example/job' }).webhookUrl,
    ).toBe('https://h.example/job');
    expect(CreateJobRequestSchema.safeParse({ prompt: 'x', webhookUrl: 'javascript:alert(1)' }).success).toBe(
      false,
    );
  });
});
