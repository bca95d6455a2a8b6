import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  DEFAULT_PRICING,
  type Plan,
  type PlanId,
  type PricingTable,
  type Resolution,
  quoteCredits,
} from '@cineweave/contracts';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../../core/config/app-config.ts';
import { planLadderProblems } from './plan-ladder.ts';

@Injectable()
export class PlansService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PlansService.name);
  /** One price table for the deployment; the contracts default until pricing becomes configurable per install. */
  readonly pricing: PricingTable = DEFAULT_PRICING;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  async list(): Promise<(Plan & { effectiveActiveJobLimit: number })[]> {
    const rows: {
      id: PlanId;
      name: string;
      monthly_credits: number;
      active_job_limit: number | null;
      price_minor: number | null;
      currency: 'GBP';
    }[] = await this.db.query(`SELECT * FROM plans ORDER BY sort_order`);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      monthlyCredits: row.monthly_credits,
      activeJobLimit: row.active_job_limit,
      effectiveActiveJobLimit: row.active_job_limit ?? this.config.env.MAX_ACTIVE_JOBS_PER_USER,
      priceMinor: row.price_minor,
      currency: row.currency,
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
    return quoteCredits(this.pricing, job, factor);
  }
}
