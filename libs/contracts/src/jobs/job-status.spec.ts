import { describe, expect, it } from 'vitest';
import {
  JOB_STATUSES,
  JobStatusSchema,
  allowedTransitions,
  canTransition,
  isActiveStatus,
  isFinishedStatus,
} from './job-status.ts';

describe('JobStatusSchema', () => {
  it.each(JOB_STATUSES)('should accept %s', (status) => {
    expect(JobStatusSchema.parse(status)).toBe(status);
  });

  it.each(['QUEUED', 'done', '', 3, null])('should reject %j', (value) => {
    expect(JobStatusSchema.safeParse(value).success).toBe(false);
  });
});

describe('canTransition', () => {
  it.each([
    ['queued', 'running'],
    ['queued', 'cancelled'],
    ['queued', 'failed'],
    ['running', 'succeeded'],
    ['running', 'failed'],
    ['running', 'cancelled'],
    ['running', 'queued'],
    ['succeeded', 'expired'],
  ] as const)('should allow %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each([
    ['queued', 'succeeded'],
    ['queued', 'expired'],
    ['succeeded', 'failed'],
    ['succeeded', 'running'],
    ['failed', 'queued'],
    ['cancelled', 'running'],
    ['expired', 'succeeded'],
    ['running', 'running'],
  ] as const)('should refuse %s -> %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('should leave failed, cancelled and expired with no way out', () => {
    expect(allowedTransitions('failed')).toEqual([]);
    expect(allowedTransitions('cancelled')).toEqual([]);
    expect(allowedTransitions('expired')).toEqual([]);
  });
});

describe('isActiveStatus', () => {
  it('should count only queued and running jobs as active', () => {
    expect(JOB_STATUSES.filter(isActiveStatus)).toEqual(['queued', 'running']);
    expect(JOB_STATUSES.filter(isFinishedStatus)).toEqual(['succeeded', 'failed', 'cancelled', 'expired']);
  });
});
