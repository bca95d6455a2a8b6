import { describe, expect, it } from 'vitest';
import {
  DEFAULT_JOB_PRIORITY_CLASS,
  JOB_PRIORITY_CLASSES,
  JobPriorityClassSchema,
  priorityClassOf,
} from './job-priority-class.ts';

describe('JobPriorityClassSchema', () => {
  it('should list the classes in the order a team’s jobs are served', () => {
    // The dispatcher ranks classes by their index here: reordering changes who runs first.
    expect(JOB_PRIORITY_CLASSES).toEqual(['high', 'normal', 'batch']);
  });

  it('should default to normal', () => {
    expect(JobPriorityClassSchema.parse(DEFAULT_JOB_PRIORITY_CLASS)).toBe('normal');
  });

  it.each(['HIGH', 'urgent', '', 1, null])('should reject %j', (value) => {
    expect(JobPriorityClassSchema.safeParse(value).success).toBe(false);
  });
});

describe('priorityClassOf', () => {
  it.each([
    [100, 'high'],
    [67, 'high'],
    [66, 'normal'],
    [50, 'normal'],
    [34, 'normal'],
    [33, 'batch'],
    [0, 'batch'],
  ] as const)('should map priority %i to %s', (priority, priorityClass) => {
    expect(priorityClassOf(priority)).toBe(priorityClass);
  });
});
