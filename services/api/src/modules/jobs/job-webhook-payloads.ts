import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { JobStatus } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { WebhookDispatcher } from '../webhooks/webhook-dispatcher.service.ts';
import { type JobRow, jobFromRow, toJobView } from './job-row.ts';

const TIMESTAMP_COLUMNS = ['cancel_requested_at', 'started_at', 'finished_at', 'created_at'];

/** A job row from the trigger's `to_jsonb(NEW)` snapshot: timestamps come back as strings. */
function jobRowFromSnapshot(data: Record<string, unknown>): JobRow {
  const row: Record<string, unknown> = { ...data };
  for (const column of TIMESTAMP_COLUMNS) {
    const value = row[column];
    row[column] = typeof value === 'string' ? new Date(value) : null;
  }
  row.status = data.status as JobStatus;
  return row as unknown as JobRow;
}

/**
 * A job's webhook messages carry its view, as the API answers it: the jobs module hands webhooks
 * the renderer, so the dependency runs one way (jobs → webhooks).
 */
@Injectable()
export class JobWebhookPayloads implements OnModuleInit {
  constructor(
    private readonly dispatcher: WebhookDispatcher,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.dispatcher.renderJobEventsWith((snapshot) =>
      toJobView(jobFromRow(jobRowFromSnapshot(snapshot)), this.config.env.RETENTION_HOURS),
    );
  }
}
