/** `provider_payment_id` → `providerPaymentId`, as a type. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** A row type with its snake_case column names turned camelCase, values untouched. */
export type Camelized<Row> = { [Key in keyof Row as Key extends string ? CamelCase<Key> : Key]: Row[Key] };

/**
 * A row as the domain object of the same fields in camelCase. For rows whose columns map one to
 * one; a mapper that converts a value (a timestamp from `to_jsonb`, say) overrides that field.
 */
export function camelized<Row extends object>(row: Row): Camelized<Row> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    result[key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase())] = value;
  }
  return result as Camelized<Row>;
}
