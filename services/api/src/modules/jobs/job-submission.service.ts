import { Injectable } from '@nestjs/common';
import type { JobParameters } from '@cineweave/contracts';
import type { PoolClient } from 'pg';
import type { Principal } from '../../core/auth/principal.ts';
import { AdmissionService } from './admission.service.ts';
import { IdempotencyService } from './idempotency.service.ts';
import { JobsService } from './jobs.service.ts';
import { OutboxRelay } from './outbox-relay.service.ts';

export interface SubmitAnswer {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** `POST /v1/jobs`: admission, behind the Idempotency-Key when one is given. */
@Injectable()
export class JobSubmissionService {
  constructor(
    private readonly admission: AdmissionService,
    private readonly idempotency: IdempotencyService,
    private readonly jobs: JobsService,
    private readonly relay: OutboxRelay,
  ) {}

  async submit(
    principal: Principal,
    params: JobParameters,
    rawBody: unknown,
    key?: string,
  ): Promise<SubmitAnswer> {
    const admit = async (client?: PoolClient) => {
      const row = await this.admission.admit(
        {
          userId: principal.userId,
          ...(principal.email ? { email: principal.email } : {}),
          params,
          source: 'api',
          createAccount: true,
        },
        client,
      );
      return { status: 202, body: this.jobs.view(row) };
    };
    if (key === undefined) return { ...(await admit()), replayed: false };
    const hash = IdempotencyService.hashRequest({ route: 'POST /v1/jobs', body: rawBody });
    // The key and the job commit in one transaction: a key is either absent or bound to its job.
    const answer = await this.idempotency.run(principal.userId, key, hash, admit);
    // The job became visible to the outbox relay only at that commit.
    if (!answer.replayed && answer.status === 202) this.relay.nudge();
    return answer;
  }
}
