/**
 * How reports name a team (an `accounts` row) in SQL, given the aliases of `accounts` and of the
 * `users` row LEFT JOINed on `accounts.user_id`. Every personal team is called "Personal", so
 * a personal team also says whose it is ("Personal (ana@example.com)": email, else user id);
 * other teams go by their own name. One place, so the usage export and the admin charts agree.
 */
export function teamNameSql(account: string, user: string): string {
  return `CASE WHEN ${account}.personal
               THEN ${account}.name || ' (' || coalesce(${user}.email, ${account}.user_id) || ')'
               ELSE ${account}.name END`;
}
