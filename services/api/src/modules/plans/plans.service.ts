import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type Plan, type Resolution, quoteCredits } from '@cineweave/contracts';
import { AppConfig } from '../../core/config/app-config.ts';
import { planLadderProblems } from './plan-ladder.ts';
import { PlansRepository } from './plans.repository.ts';

@Injectable()
export class PlansService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PlansService.name);

  constructor(
    private readonly plans: PlansRepository,
    private readonly config: AppConfig,
  ) {}

  async list(): Promise<(Plan & { effectiveActiveJobLimit: number })[]> {
    return (await this.plans.list()).map((plan) => ({
      ...plan,
      effectiveActiveJobLimit: plan.activeJobLimit ?? this.config.env.MAX_ACTIVE_JOBS_PER_USER,
    }));
  }

  /** A MAX_ACTIVE_JOBS_PER_USER above a paid plan's own limit makes Free the better deal: say so. */
  async onApplicationBootstrap(): Promise<void> {
    for (const problem of planLadderProblems(await this.list())) {
      this.logger.warn(
        `Plans do not add up: ${problem}. Check MAX_ACTIVE_JOBS_PER_USER and the plans table.`,
      );
    }
  }

  /** The table's price scaled by the model's catalog price factor (an unknown model: the table's). */
  quote(job: { resolution: Resolution; durationSeconds: number; model: string }): number {
    const factor = this.config.catalog.find((entry) => entry.id === job.model)?.priceFactor ?? 1;
    return quoteCredits(this.config.pricing, job, factor);
  }
}
