// Plain SQL text with no Nest imports: the admission benchmark loads the admission statement,
// and with it this file, from the build without the API around it.

/**
 * The columns a relation of moves has for `ledgerMoves`, in this order (snake_case of LedgerMove,
 * every one present; `kind`, `reference`, `reason` and `actor` as text).
 */
export const LEDGER_MOVE_COLUMNS =
  'account_id, kind, amount, reserved_delta, active_jobs_delta, job_id, reference, reason, actor';

/**
 * The one place a ledger move is spelled in SQL: two CTEs (`ledger_rows`, `ledger_totals`) that
 * write a ledger row per move of relation `moves` (a CTE of the enclosing statement, with
 * LEDGER_MOVE_COLUMNS) and add each account's moves to its cached totals. Used by the admission
 * statement, which reserves for a whole batch in one statement, and by `LedgerRepository.record`
 * (capture, release, grants, top-ups). Several moves of one account are summed first: an UPDATE
 * applies only one joined row per target row.
 */
export function ledgerMoves(moves: string): string {
  return `ledger_rows AS (
  INSERT INTO credit_ledger (account_id, kind, amount, reserved_delta, job_id, reference, reason, actor)
  SELECT account_id, kind, amount, reserved_delta, job_id, reference, reason, actor FROM ${moves}
), ledger_totals AS (
  UPDATE accounts a
     SET balance = a.balance + m.amount, reserved = a.reserved + m.reserved_delta,
         active_jobs = a.active_jobs + m.active_jobs_delta, updated_at = now()
    FROM (SELECT account_id, sum(amount)::int AS amount, sum(reserved_delta)::int AS reserved_delta,
                 sum(active_jobs_delta)::int AS active_jobs_delta
            FROM ${moves} GROUP BY account_id) m
   WHERE a.id = m.account_id
)`;
}
