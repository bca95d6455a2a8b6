import { Client } from 'minio';
import type { WorkerConfig } from '../config/worker-config.ts';

/** The bucket the worker reads inputs from and writes outputs to (MinIO, R2, S3 or s3rver). */
export class ObjectStore {
  private readonly client: Client;

  constructor(
    config: Pick<WorkerConfig, 'S3_ENDPOINT' | 'S3_REGION' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_BUCKET'>,
    readonly bucket = config.S3_BUCKET,
  ) {
    const endpoint = new URL(config.S3_ENDPOINT);
    this.client = new Client({
      endPoint: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      useSSL: endpoint.protocol === 'https:',
      region: config.S3_REGION,
      accessKey: config.S3_ACCESS_KEY,
      secretKey: config.S3_SECRET_KEY,
      // Path-style addressing works with every S3-compatible store, virtual hosts do not.
      pathStyle: true,
    });
  }

  async uploadFile(key: string, path: string, contentType: string): Promise<void> {
    await this.client.fPutObject(this.bucket, key, path, { 'Content-Type': contentType });
  }

  async uploadBuffer(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.putObject(this.bucket, key, body, body.length, { 'Content-Type': contentType });
  }

  /** The object's bytes, or null when it does not exist (a missing upload is the job's fault, not the worker's). */
  async download(key: string): Promise<Buffer | null> {
    try {
      const stream = await this.client.getObject(this.bucket, key);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    } catch (error) {
      if ((error as { code?: string }).code === 'NoSuchKey') return null;
      throw error;
    }
  }

  async ping(): Promise<void> {
    await this.client.bucketExists(this.bucket);
  }
}
