/**
 * How reports name a team (an `accounts` row) in SQL, given the aliases of `accounts` and of the
 * `users` row LEFT JOINed on `accounts.user_id`. Until accounts carry a name of their own, a
 * personal team is named after its person: email, else user id, else the account id. One place,
 * so the usage export and the admin charts switch to the team's own name together.
 */
export function teamNameSql(account: string, user: string): string {
  return `coalesce(${user}.email, ${account}.user_id, ${account}.id::text)`;
}
