import { UuidSchema } from '@cineweave/contracts';
import { InvalidArgumentError } from 'commander';

/** Option parsers: a bad value is a usage error (exit code 2) before anything is sent. */
export function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('Give a whole number.');
  return Number(value);
}

export function decimal(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('Give a number.');
  return number;
}

export function jobId(value: string): string {
  if (!UuidSchema.safeParse(value).success) {
    throw new InvalidArgumentError('A job id is a UUID; `cineweave ls` lists your jobs with their ids.');
  }
  return value.toLowerCase();
}

export function uploadId(value: string): string {
  if (!UuidSchema.safeParse(value).success) throw new InvalidArgumentError('An upload id is a UUID.');
  return value.toLowerCase();
}

export function pageSize(value: string): number {
  const size = wholeNumber(value);
  if (size < 1 || size > 100) throw new InvalidArgumentError('Give a number from 1 to 100.');
  return size;
}
