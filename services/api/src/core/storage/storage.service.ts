import type { Readable } from 'node:stream';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Client } from 'minio';
import { AppConfig } from '../config/app-config.ts';

/** Presigned links live 15 minutes: long enough to start a download, short enough to leak little. */
export const PRESIGN_SECONDS = 15 * 60;

/** The one S3 bucket: uploads, inputs and outputs. */
@Injectable()
export class StorageService implements OnModuleInit {
  private readonly logger = new Logger(StorageService.name);
  readonly client: Client;
  readonly bucket: string;

  /** Signs the links browsers follow: for S3_PUBLIC_ENDPOINT when set (signing needs no network). */
  private readonly presigner: Client;

  constructor(config: AppConfig) {
    const { env } = config;
    this.bucket = env.S3_BUCKET;
    this.client = clientFor(env.S3_ENDPOINT, env);
    this.presigner = env.S3_PUBLIC_ENDPOINT ? clientFor(env.S3_PUBLIC_ENDPOINT, env) : this.client;
  }

  async onModuleInit(): Promise<void> {
    await this.ensureBucket().catch((error: Error) =>
      // Not fatal: /ready reports S3 until it is reachable, and the next call retries.
      this.logger.warn({ bucket: this.bucket, error: error.message }, 'Could not ensure the bucket exists'),
    );
  }

  async ensureBucket(): Promise<void> {
    if (!(await this.client.bucketExists(this.bucket))) {
      await this.client.makeBucket(this.bucket).catch(async (error: { code?: string }) => {
        if (error.code !== 'BucketAlreadyOwnedByYou' && error.code !== 'BucketAlreadyExists') throw error;
      });
      this.logger.log({ bucket: this.bucket }, 'Created bucket');
    }
  }

  async ping(): Promise<void> {
    await this.client.bucketExists(this.bucket);
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.client.putObject(this.bucket, key, body, body.length, { 'Content-Type': contentType });
  }

  /** The object's bytes as a stream, with its size and type, for answers that carry the bytes themselves. */
  async read(key: string): Promise<{ body: Readable; size: number; contentType: string | undefined }> {
    const stat = await this.client.statObject(this.bucket, key);
    const contentType = (stat.metaData as Record<string, string | undefined>)['content-type'];
    return { body: await this.client.getObject(this.bucket, key), size: stat.size, contentType };
  }

  async remove(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.client.removeObjects(this.bucket, keys);
  }

  /** A GET link valid PRESIGN_SECONDS; with `attachmentName`, browsers save the object under that name. */
  async presignGet(key: string, options: { attachmentName?: string } = {}): Promise<string> {
    const overrides = options.attachmentName
      ? { 'response-content-disposition': `attachment; filename="${options.attachmentName}"` }
      : undefined;
    return this.presigner.presignedGetObject(this.bucket, key, PRESIGN_SECONDS, overrides);
  }
}

function clientFor(
  endpointUrl: string,
  env: { S3_ACCESS_KEY: string; S3_SECRET_KEY: string; S3_REGION: string },
): Client {
  const endpoint = new URL(endpointUrl);
  return new Client({
    endPoint: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80,
    useSSL: endpoint.protocol === 'https:',
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    // Known region: presigning never asks the store for it.
    region: env.S3_REGION,
    // Path-style works with MinIO, R2, s3rver and AWS alike.
    pathStyle: true,
  });
}
