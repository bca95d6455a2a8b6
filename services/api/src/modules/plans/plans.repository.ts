import { Injectable } from '@nestjs/common';
import type { Plan, PlanId } from '@cineweave/contracts';
import { Database, type Sql } from '../../core/database/database.ts';

/** Owns the SQL of `plans`. */
@Injectable()
export class PlansRepository {
  constructor(private readonly db: Database) {}

  /** Every plan, in the order they are offered. */
  async list(sql: Sql = this.db): Promise<Plan[]> {
    const rows = await sql.query<{
      id: PlanId;
      name: string;
      monthly_credits: number;
      active_job_limit: number | null;
      price_minor: number | null;
      currency: 'GBP';
      queue_weight: number;
    }>(`SELECT * FROM plans ORDER BY sort_order`);
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      monthlyCredits: row.monthly_credits,
      activeJobLimit: row.active_job_limit,
      priceMinor: row.price_minor,
      currency: row.currency,
      queueWeight: row.queue_weight,
    }));
  }
}
