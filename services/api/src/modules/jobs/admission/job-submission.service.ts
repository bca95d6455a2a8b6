import { Injectable } from '@nestjs/common';
import type { JobParameters } from '@cineweave/contracts';
import type { Principal } from '../../../core/auth/principal.ts';
import type { Account } from '../../accounts/accounts.service.ts';
import { ModelAdmission } from '../../models/model-admission.service.ts';
import { AdmissionService } from './admission.service.ts';
import { IdempotencyService } from './idempotency.service.ts';
import { JobsService } from '../jobs.service.ts';
import { OutboxRelay } from '../dispatch/outbox-relay.service.ts';
import { WebhooksService } from '../../webhooks/webhooks.service.ts';

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
    private readonly webhooks: WebhooksService,
    private readonly models: ModelAdmission,
  ) {}

  /** Charged to `team`, whose membership and role (member or above) the route has checked. */
  async submit(
    principal: Principal,
    team: Account,
    params: JobParameters,
    rawBody: unknown,
    key?: string,
  ): Promise<SubmitAnswer> {
    // The model catalog first: an unknown model or a job beyond its limits is refused before anything else.
    const checked = await this.models.check(params);
    // A per-job webhook URL must pass the address guard and have the team's signing secret before anything is admitted.
    if (params.webhookUrl) await this.webhooks.checkJobWebhookUrl(team.id, params.webhookUrl);
    const request = {
      userId: principal.userId,
      teamId: team.id,
      teamHasMonthlyLimits: team.monthlyCreditQuota !== null || team.memberMonthlyCap !== null,
      params: checked.params,
      source: 'api' as const,
    };
    // Said in the answer when no ready worker serves the model yet: the job waits for one.
    const viewOf = (row: Parameters<JobsService['view']>[0]) => {
      const view = this.jobs.view(row);
      return checked.notice ? { ...view, notice: checked.notice } : view;
    };
    if (key === undefined) {
      return { status: 202, body: viewOf(await this.admission.admit(request)), replayed: false };
    }
    IdempotencyService.validateKey(key);
    const hash = IdempotencyService.hashRequest({ route: 'POST /v1/jobs', body: rawBody });
    // Reads (account, image) happen before the transaction, which then holds one connection only.
    const values = await this.admission.prepare(request);
    // The key and the job commit in one transaction: a key is either absent or bound to its job.
    const answer = await this.idempotency.run(principal.userId, key, hash, async (tx) => ({
      status: 202,
      body: viewOf(await this.admission.write(values, tx)),
    }));
    // The job became visible to the outbox relay only at that commit.
    if (!answer.replayed && answer.status === 202) this.relay.nudge();
    return answer;
  }
}
