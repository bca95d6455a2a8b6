import { Injectable, Logger } from '@nestjs/common';
import type { ModerationDecisionView } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';
import { z } from 'zod';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { decodeCursor, encodeCursor } from '../../core/http/cursor.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import { AuditService } from '../audit/audit.service.ts';
import { HttpClassifierProvider } from './http-classifier.ts';
import { ModerationPolicyService } from './moderation-policy.service.ts';
import { type ModerationOutcome, ModerationRepository } from './moderation.repository.ts';
import {
  type ModerationInput,
  type ModerationProvider,
  ModerationUnavailableError,
} from './moderation-provider.ts';
import { TermListProvider } from './term-list-provider.ts';

export interface ModerationSubject {
  userId: string;
  accountId: string;
  prompt: string;
  negativePrompt?: string | null;
  /** S3 key of the input image, if any (checked by the external classifier only). */
  imageKey?: string | null;
}

/**
 * The policy step of admission, before anything is reserved: the built-in term/pattern list,
 * then the external classifier when one is configured. A refusal is recorded (decision row and
 * audit row) and answered as `content-policy`; nothing else is written.
 */
@Injectable()
export class ModerationService {
  private readonly logger = new Logger(ModerationService.name);
  private readonly classifier: HttpClassifierProvider | null;

  constructor(
    private readonly db: Database,
    private readonly repository: ModerationRepository,
    private readonly policies: ModerationPolicyService,
    private readonly storage: StorageService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    const env = config.env;
    this.classifier = env.MODERATION_CLASSIFIER_URL
      ? new HttpClassifierProvider({
          baseUrl: env.MODERATION_CLASSIFIER_URL,
          timeoutMs: env.MODERATION_TIMEOUT_MS,
          ...(env.MODERATION_CLASSIFIER_TOKEN ? { token: env.MODERATION_CLASSIFIER_TOKEN } : {}),
          ...(env.MODERATION_CLASSIFIER_MODEL ? { model: env.MODERATION_CLASSIFIER_MODEL } : {}),
        })
      : null;
  }

  /** Throws `CONTENT_POLICY` (422) when the policy refuses the subject. */
  async check(subject: ModerationSubject): Promise<void> {
    const { policy, failMode } = await this.policies.current();
    const providers: ModerationProvider[] = [new TermListProvider(policy.terms, policy.patterns)];
    if (this.classifier) providers.push(this.classifier);
    const texts = [subject.prompt, subject.negativePrompt ?? ''].filter((text) => text.length > 0);
    let images: ModerationInput['images'] | null = null;

    for (const provider of providers) {
      if (provider.judgesImages && images === null) images = await this.imagesOf(subject.imageKey);
      try {
        const verdict = await provider.classify({ texts, images: provider.judgesImages ? images! : [] });
        if (!verdict.flagged) continue;
        const categories = verdict.categories.length > 0 ? verdict.categories : ['unspecified'];
        await this.decide(subject, 'refused', provider.name, categories, null);
        throw new DomainError(
          'CONTENT_POLICY',
          `This request is refused by the content policy (${categories.join(', ')}); nothing was charged.`,
          [],
          {},
          { categories },
        );
      } catch (error) {
        if (!(error instanceof ModerationUnavailableError)) throw error;
        this.logger.warn({ provider: error.provider, reason: error.message }, 'Moderation unavailable');
        if (failMode === 'open') {
          await this.decide(subject, 'allowed-on-error', error.provider, [], error.message);
          continue;
        }
        await this.decide(subject, 'refused-on-error', error.provider, [], error.message);
        throw new DomainError(
          'SERVICE_UNAVAILABLE',
          `Content moderation is unavailable (${error.message}) and this install admits no unchecked job; try again shortly. Nothing was charged.`,
          [],
          { 'Retry-After': '30' },
        );
      }
    }
  }

  async decisions(
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: ModerationDecisionView[]; nextCursor: string | null }> {
    const after = decodeCursor(cursor, z.object({ t: z.string(), id: z.uuid() }));
    const rows = await this.repository.decisions(after && { createdAt: after.t, id: after.id }, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((decision) => ({ ...decision, createdAt: decision.createdAt.toISOString() })),
      nextCursor:
        rows.length > limit && last ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id }) : null,
    };
  }

  /** The worker's output check refused a job's video: its decision and audit rows, in the settlement's transaction. */
  async recordOutputRefusal(
    tx: Sql,
    job: { id: string; userId: string; accountId: string },
    refusal: { outcome: 'refused' | 'refused-on-error'; categories: string[] },
    reason: string,
  ): Promise<void> {
    const decisionId = await this.repository.recordDecision(
      {
        stage: 'output',
        outcome: refusal.outcome,
        provider: 'classifier',
        categories: refusal.categories,
        userId: job.userId,
        accountId: job.accountId,
        jobId: job.id,
        detail: reason,
      },
      tx,
    );
    await this.audit.record(
      {
        action: 'moderation.refused',
        target: { type: 'job', id: job.id },
        after: { decisionId, stage: 'output', ...refusal },
        actor: { type: 'system', id: 'system:gpu-worker' },
      },
      tx,
    );
  }

  /** Records a decision; refusals also go to the audit log, in the same transaction. */
  private async decide(
    subject: ModerationSubject,
    outcome: ModerationOutcome,
    provider: string,
    categories: string[],
    detail: string | null,
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      const decisionId = await this.repository.recordDecision(
        {
          stage: 'input',
          outcome,
          provider,
          categories,
          userId: subject.userId,
          accountId: subject.accountId,
          detail,
        },
        tx,
      );
      if (outcome === 'allowed-on-error') return;
      await this.audit.record(
        {
          action: 'moderation.refused',
          target: { type: 'user', id: subject.userId },
          after: { decisionId, stage: 'input', outcome, provider, categories },
        },
        tx,
      );
    });
  }

  /** The input image as a data URL, for the classifier (OpenAI's multimodal `image_url` part). */
  private async imagesOf(imageKey: string | null | undefined): Promise<ModerationInput['images']> {
    if (!imageKey) return [];
    const object = await this.storage.read(imageKey);
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) chunks.push(chunk as Buffer);
    const type = object.contentType ?? 'image/png';
    return [{ dataUrl: `data:${type};base64,${Buffer.concat(chunks).toString('base64')}` }];
  }
}
