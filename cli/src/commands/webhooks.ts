import {
  CreateWebhookRequestSchema,
  UuidSchema,
  WEBHOOK_EVENT_TYPES,
  WebhookDeliveryViewSchema,
  WebhookEndpointViewSchema,
  WebhookEndpointWithSecretSchema,
  type WebhookEndpointView,
  WebhookEventTypeSchema,
  type WebhookEventType,
} from '@cineweave/contracts';
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import { wholeNumber } from '../core/arguments.ts';
import { usageError } from '../core/cli-error.ts';
import type { CliCommand, CliCommandGroup } from '../core/command.ts';
import { ExitCode } from '../core/exit-codes.ts';

const EndpointListSchema = z.object({ items: z.array(WebhookEndpointViewSchema) });

function endpointId(value: string): string {
  if (!UuidSchema.safeParse(value).success) {
    throw new InvalidArgumentError('An endpoint id is a UUID; `cineweave webhooks list` shows them.');
  }
  return value.toLowerCase();
}

/** `--events job.succeeded,job.failed`: every name checked against the contracts' list. */
function eventList(value: string): WebhookEventType[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const parsed = names.map((name) => WebhookEventTypeSchema.safeParse(name));
  if (names.length === 0 || parsed.some((result) => !result.success)) {
    throw new InvalidArgumentError(`Give a comma-separated list of: ${WEBHOOK_EVENT_TYPES.join(', ')}.`);
  }
  return parsed.map((result) => result.data as WebhookEventType);
}

function describeEndpoint(endpoint: WebhookEndpointView): string {
  const state = endpoint.enabled ? 'enabled' : `DISABLED: ${endpoint.disabledReason ?? 'by you'}`;
  const target = endpoint.kind === 'job-urls' ? '(per-job webhookUrl signing identity)' : endpoint.url;
  return `${endpoint.id}  ${target}\n    ${state} · events: ${endpoint.eventTypes.join(', ')}`;
}

interface AddOptions {
  events?: WebhookEventType[];
  description?: string;
  creditsLowThreshold?: number;
}

const add: CliCommand<AddOptions> = {
  name: 'add',
  define: (command: Command) =>
    command
      .description('Add an endpoint; its signing secret is printed once, keep it.')
      .argument('<url>', 'where CineWeave POSTs the events (http or https)')
      .option(
        '--events <list>',
        `comma-separated events (default: all of ${WEBHOOK_EVENT_TYPES.join(', ')})`,
        eventList,
      )
      .option('--description <text>', 'a note for yourself')
      .option(
        '--credits-low-threshold <n>',
        'credits.low fires when available credits fall below this',
        wholeNumber,
      ),

  async run(context, [url], options) {
    const request = CreateWebhookRequestSchema.safeParse({
      url,
      ...(options.events ? { eventTypes: options.events } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.creditsLowThreshold !== undefined
        ? { creditsLowThreshold: options.creditsLowThreshold }
        : {}),
    });
    if (!request.success) {
      throw usageError(
        'The endpoint was not created.',
        `Events are any of ${WEBHOOK_EVENT_TYPES.join(', ')}.`,
        request.error.issues.map((issue) => ({
          field: issue.path.join('.') || 'url',
          message: issue.message,
        })),
      );
    }
    const { data, body } = await context.client.post('/v1/webhooks', WebhookEndpointWithSecretSchema, {
      json: request.data,
    });
    context.output.result(body, () =>
      [
        `Added ${describeEndpoint(data)}`,
        '',
        `Signing secret (shown only now): ${data.secret}`,
        'Verify each request with it and the webhook-id, webhook-timestamp and webhook-signature headers',
        '(any Standard Webhooks library, e.g. the `standardwebhooks` npm package).',
      ].join('\n'),
    );
  },
};

const list: CliCommand = {
  name: 'list',
  define: (command: Command) => command.description('List your endpoints, with why any was disabled.'),
  async run(context) {
    const { data, body } = await context.client.get('/v1/webhooks', EndpointListSchema);
    context.output.result(body, () =>
      data.items.length === 0
        ? 'No webhook endpoints yet. Add one with: cineweave webhooks add <url>'
        : data.items.map(describeEndpoint).join('\n'),
    );
  },
};

interface TestOptions {
  wait: boolean;
}

const test: CliCommand<TestOptions> = {
  name: 'test',
  define: (command: Command) =>
    command
      .description('Send a signed webhook.test message to an endpoint and show how it went.')
      .argument('<endpoint-id>', 'the endpoint', endpointId)
      .option('--no-wait', 'return once the message is queued'),

  async run(context, [id], options) {
    const queued = await context.client.post(`/v1/webhooks/${id}/test`, WebhookDeliveryViewSchema);
    let delivery = queued.data;
    let body: unknown = queued.body;
    // Follow the delivery log until the first attempt is recorded (or give up after ~30 s).
    for (let tries = 0; options.wait && delivery.attempts === 0 && tries < 60; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const log = await context.client.get(
        `/v1/webhooks/${id}/deliveries`,
        z.object({ items: z.array(WebhookDeliveryViewSchema) }),
        { query: { limit: 20 } },
      );
      const found = log.data.items.find((item) => item.id === delivery.id);
      if (found) {
        delivery = found;
        body = (log.body as { items: unknown[] }).items[log.data.items.indexOf(found)];
      }
    }
    context.output.result(body, () => {
      if (delivery.attempts === 0)
        return `Queued test message ${delivery.messageId} (delivery ${delivery.id}).`;
      const answer =
        delivery.lastResponseStatus !== null
          ? `HTTP ${delivery.lastResponseStatus} in ${delivery.lastLatencyMs} ms`
          : (delivery.lastError ?? 'no answer');
      return delivery.status === 'succeeded'
        ? `Delivered test message ${delivery.messageId}: ${answer}.`
        : `Test message ${delivery.messageId} not delivered yet (${answer}); it is retried with backoff.`;
    });
    // Like a job that ended unsuccessfully: the thing waited for did not happen.
    if (options.wait && delivery.attempts > 0 && delivery.status !== 'succeeded')
      return ExitCode.JobUnsuccessful;
  },
};

interface RotateOptions {
  overlap: number;
}

const rotate: CliCommand<RotateOptions> = {
  name: 'rotate',
  define: (command: Command) =>
    command
      .description('Give an endpoint a new signing secret; the old one keeps signing during the overlap.')
      .argument('<endpoint-id>', 'the endpoint', endpointId)
      .option(
        '--overlap <seconds>',
        'how long the old secret still signs (0 to stop at once)',
        wholeNumber,
        86_400,
      ),

  async run(context, [id], options) {
    const { data, body } = await context.client.post(
      `/v1/webhooks/${id}/rotate-secret`,
      WebhookEndpointWithSecretSchema,
      { json: { overlapSeconds: options.overlap } },
    );
    context.output.result(body, () =>
      [
        `New signing secret for ${data.url ?? data.id} (shown only now): ${data.secret}`,
        data.previousSecretExpiresAt
          ? `The previous secret also signs until ${data.previousSecretExpiresAt}; switch your receiver before then.`
          : 'The previous secret no longer signs.',
      ].join('\n'),
    );
  },
};

export const webhooksCommand: CliCommandGroup = {
  name: 'webhooks',
  description: 'Manage webhook endpoints: add, list, test, rotate.',
  subcommands: [add, list, test, rotate] as readonly CliCommand<never>[],
};
