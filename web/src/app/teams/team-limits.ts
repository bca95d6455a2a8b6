import type { TeamLimits, UpdateTeamLimitsRequest } from '@cineweave/contracts';

export type LimitField = keyof TeamLimits;

/** The limits form's fields: label, help, and the bounds the API's schema (TeamLimitsSchema) holds. */
export const LIMIT_FIELDS: readonly {
  field: LimitField;
  label: string;
  hint: string;
  min: number;
  max: number;
}[] = [
  {
    field: 'activeJobLimit',
    label: 'Videos rendering or queued at once',
    hint: "Empty: the plan's limit.",
    min: 1,
    max: 10_000,
  },
  {
    field: 'monthlyCreditQuota',
    label: 'Credits the team may spend per month',
    hint: 'Empty: no monthly quota. Resets on the 1st (UTC).',
    min: 0,
    max: 1_000_000_000,
  },
  {
    field: 'memberMonthlyCap',
    label: 'Credits one member may spend per month',
    hint: 'Empty: no cap per member. Resets on the 1st (UTC).',
    min: 0,
    max: 1_000_000_000,
  },
];

export type LimitInputs = Record<LimitField, string>;

/** The form's text for the limits in force (empty for "no limit"). */
export function limitInputs(limits: TeamLimits): LimitInputs {
  const text = (value: number | null) => (value === null ? '' : String(value));
  return {
    activeJobLimit: text(limits.activeJobLimit),
    monthlyCreditQuota: text(limits.monthlyCreditQuota),
    memberMonthlyCap: text(limits.memberMonthlyCap),
  };
}

/**
 * Reads the form: each field empty (no limit) or a whole number within its bounds. Answers the
 * request with only the fields that changed, or the message for each field that is wrong.
 */
export function readLimits(
  inputs: LimitInputs,
  current: TeamLimits,
): { request: UpdateTeamLimitsRequest; errors: Partial<Record<LimitField, string>> } {
  const request: UpdateTeamLimitsRequest = {};
  const errors: Partial<Record<LimitField, string>> = {};
  for (const { field, min, max } of LIMIT_FIELDS) {
    const text = inputs[field].trim().replace(/[\s,]/g, '');
    let value: number | null = null;
    if (text !== '') {
      value = Number(text);
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) {
        errors[field] = 'Enter a whole number, or leave it empty for no limit.';
        continue;
      }
      if (value < min || value > max) {
        errors[field] =
          `Enter a number from ${min.toLocaleString('en-GB')} to ${max.toLocaleString('en-GB')}.`;
        continue;
      }
    }
    if (value !== current[field]) request[field] = value;
  }
  return { request, errors };
}
