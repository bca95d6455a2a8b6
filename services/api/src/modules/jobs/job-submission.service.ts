import { Injectable } from '@nestjs/common';
import type { JobParameters } from '@cineweave/contracts';
import type { Principal } from '../../core/auth/principal.ts';
import { ModelAdmission } from '../models/model-admission.service.ts';
import { AdmissionService } from './admission.service.ts';
import { IdempotencyService } from './idempotency.service.ts';
import { JobsService } from './jobs.service.ts';
import { WebhooksService } from '../webhooks/webhooks.service.ts';

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
    private readonly webhooks: WebhooksService,
    private readonly models: ModelAdmission,
  ) {}

  async submit(
    principal: Principal,
    params: JobParameters,
    rawBody: unknown,
    key?: string,
  ): Promise<SubmitAnswer> {
    const admit = async () => {
      const checked = await this.models.check(params);
      if (params.webhookUrl) await this.webhooks.checkJobWebhookUrl(principal.userId, params.webhookUrl);
      const row = await this.admission.admit({
        userId: principal.userId,
        ...(principal.email ? { email: principal.email } : {}),
        params: checked.params,
        source: 'api',
        createAccount: true,
      });
      const view = this.jobs.view(row);
      return { status: 202, body: checked.notice ? { ...view, notice: checked.notice } : view };
    };
    if (key === undefined) return { ...(await admit()), replayed: false };
    const hash = IdempotencyService.hashRequest({ route: 'POST /v1/jobs', body: rawBody });
    return this.idempotency.run(principal.userId, key, hash, admit);
  }
}
