import { TestBed } from '@angular/core/testing';
import type { WebhookEndpointView } from '@cineweave/contracts';
import { ApiError } from '../../core/api/api-error';
import { CineweaveApi } from '../../core/api/cineweave-api';
import { WebhooksStore } from './webhooks.store';

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({ providers: [WebhooksStore, { provide: CineweaveApi, useValue: api }] });
  return TestBed.inject(WebhooksStore);
}

function anEndpoint(overrides: Partial<WebhookEndpointView> = {}): WebhookEndpointView {
  return {
    id: 'e1',
    kind: 'endpoint',
    url: 'https://hooks.example.com/cw',
    description: '',
    eventTypes: ['job.succeeded'],
    creditsLowThreshold: 100,
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    consecutiveFailures: 0,
    previousSecretExpiresAt: null,
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

describe(WebhooksStore.name, () => {
  it('should show the secret once and list the endpoint without it when one is added', async () => {
    const createWebhook = vi.fn(async () => ({ ...anEndpoint(), secret: 'whsec_abc' }));
    const store = setup({ webhooks: async () => [], createWebhook });
    await store.load();

    await expect(store.create(' https://hooks.example.com/cw ', '', ['job.succeeded'])).resolves.toBe(true);

    expect(createWebhook).toHaveBeenCalledWith({
      url: 'https://hooks.example.com/cw',
      description: '',
      eventTypes: ['job.succeeded'],
    });
    expect(store.revealed()?.secret).toBe('whsec_abc');
    expect(store.endpoints()).toEqual([anEndpoint()]);
    store.dismissSecret();
    expect(store.revealed()).toBeNull();
  });

  it('should refuse an endpoint without events and call nothing', async () => {
    const createWebhook = vi.fn();
    const store = setup({ createWebhook });

    await expect(store.create('https://hooks.example.com/cw', '', [])).resolves.toBe(false);

    expect(createWebhook).not.toHaveBeenCalled();
    expect(store.fieldErrors()['eventTypes']).toMatch(/at least one/);
  });

  it("should put the API's field message next to the URL when it is refused", async () => {
    const store = setup({
      webhooks: async () => [],
      createWebhook: async () => {
        throw new ApiError(
          422,
          {
            type: 'x',
            title: 'The request cannot be processed',
            status: 422,
            detail: 'Webhooks cannot be sent to http://10.0.0.1/: private address',
            code: 'UNPROCESSABLE',
            errors: [{ field: 'url', message: 'a private address' }],
          },
          'Webhooks cannot be sent to http://10.0.0.1/: private address',
        );
      },
    });
    await store.load();

    await expect(store.create('http://10.0.0.1/', '', ['job.failed'])).resolves.toBe(false);

    expect(store.fieldErrors()['url']).toBe('a private address');
    expect(store.actionError()).toMatch(/cannot be sent/);
    expect(store.endpoints()).toEqual([]);
  });

  it('should count disabled endpoints and hide the per-job identity from the list', async () => {
    const store = setup({
      webhooks: async () => [
        anEndpoint({
          id: 'e1',
          enabled: false,
          disabledReason: 'Disabled automatically after 5 failed attempts',
        }),
        anEndpoint({ id: 'e2' }),
        anEndpoint({ id: 'j1', kind: 'job-urls', url: null }),
      ],
    });
    await store.load();

    expect(store.endpoints().map((e) => e.id)).toEqual(['e1', 'e2']);
    expect(store.disabledCount()).toBe(1);
  });
});
