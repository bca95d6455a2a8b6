import { TestBed } from '@angular/core/testing';
import type { AuditEntryView } from '@cineweave/contracts';
import { ApiError } from '../../core/api/api-error';
import { CineweaveApi } from '../../core/api/cineweave-api';
import { AuditStore } from './audit.store';

const row = (seq: number): AuditEntryView => ({
  seq,
  id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
  occurredAt: '2026-12-07T05:00:00.000Z',
  actorType: 'user',
  actorId: 'root',
  action: 'credits.granted',
  targetType: 'account',
  targetId: 'a',
  before: null,
  after: { amount: 5 },
  requestId: 'r',
  sourceAddress: '127.0.0.1',
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
});

function setup(api: Partial<CineweaveApi>) {
  TestBed.configureTestingModule({ providers: [AuditStore, { provide: CineweaveApi, useValue: api }] });
  return TestBed.inject(AuditStore);
}

describe(AuditStore.name, () => {
  it('should send the filters, then the cursor for the next page with the same filters', async () => {
    const adminAudit = vi
      .fn()
      .mockResolvedValueOnce({ items: [row(3), row(2)], nextCursor: 'c1' })
      .mockResolvedValueOnce({ items: [row(1)], nextCursor: null });
    const store = setup({ adminAudit });

    await store.apply({ action: 'credits.granted', actorId: 'root' });
    expect(store.hasMore()).toBe(true);
    await store.load();

    expect(adminAudit.mock.calls).toEqual([
      [{ action: 'credits.granted', actorId: 'root' }, null],
      [{ action: 'credits.granted', actorId: 'root' }, 'c1'],
    ]);
    expect(store.rows().map((entry) => entry.seq)).toEqual([3, 2, 1]);
    expect(store.hasMore()).toBe(false);
  });

  it('should export with the current filters and show the API detail when the export fails', async () => {
    const problem = {
      type: 't',
      title: 'Bad',
      status: 400,
      detail: 'from must be an ISO date-time',
      code: 'VALIDATION_FAILED' as const,
      errors: [],
    };
    const adminAuditCsv = vi
      .fn()
      .mockResolvedValueOnce('seq,occurredAt\n1,x\n')
      .mockRejectedValueOnce(new ApiError(400, problem, problem.detail));
    const store = setup({ adminAudit: async () => ({ items: [], nextCursor: null }), adminAuditCsv });

    await store.apply({ targetId: 'a' });
    await expect(store.exportCsv()).resolves.toBe('seq,occurredAt\n1,x\n');
    expect(adminAuditCsv).toHaveBeenCalledWith({ targetId: 'a' });
    await expect(store.exportCsv()).resolves.toBeNull();
    expect(store.error()).toBe('from must be an ISO date-time');
    expect(store.exporting()).toBe(false);
  });
});
