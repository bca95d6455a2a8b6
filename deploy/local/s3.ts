import S3rver from '@20minutes/s3rver';
import { join } from 'node:path';
import { ensureDir } from './state.ts';
import { pickPort } from './ports.ts';
import { up } from './terminal.ts';
import { leaveRunning, type RunningService } from './postgres.ts';

export interface RunningS3 extends RunningService {
  accessKey: string;
  secretKey: string;
  bucket: string;
}

/** s3rver's fixed credentials; it verifies SigV4 signatures made with them. */
const S3RVER_KEY = 'S3RVER';

/**
 * S3 for the local stack: S3_ENDPOINT when given (with S3_ACCESS_KEY, S3_SECRET_KEY,
 * S3_BUCKET), else an embedded S3-protocol server storing objects in `<stateDir>/s3`.
 */
export async function startS3(stateDir: string): Promise<RunningS3> {
  const bucket = process.env.S3_BUCKET ?? 'cineweave';
  if (process.env.S3_ENDPOINT) {
    up('S3', 'yours, from S3_ENDPOINT');
    return {
      url: process.env.S3_ENDPOINT,
      accessKey: process.env.S3_ACCESS_KEY ?? '',
      secretKey: process.env.S3_SECRET_KEY ?? '',
      bucket,
      stop: leaveRunning,
    };
  }
  const port = await pickPort(4569);
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: ensureDir(join(stateDir, 's3')),
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  await server.run();
  up('S3', `embedded s3rver, 127.0.0.1:${port}, bucket ${bucket}`);
  return {
    url: `http://127.0.0.1:${port}`,
    accessKey: S3RVER_KEY,
    secretKey: S3RVER_KEY,
    bucket,
    stop: () => server.close(),
  };
}
