import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { AppConfig } from '../../core/config/app-config.ts';
import { DomainError } from '../../core/errors/domain-error.ts';
import { StorageService } from '../../core/storage/storage.service.ts';
import type { Account } from '../accounts/accounts.service.ts';
import { fetchImage, ImageFetchError } from './image-fetcher.ts';
import { inspectAndReencode, MAX_UPLOAD_BYTES } from './image-inspection.ts';
import { UploadsRepository } from './uploads.repository.ts';

export interface UploadView {
  id: string;
  width: number;
  height: number;
  sha256: string;
}

@Injectable()
export class UploadsService {
  private readonly logger = new Logger(UploadsService.name);

  constructor(
    private readonly uploads: UploadsRepository,
    private readonly storage: StorageService,
    private readonly config: AppConfig,
  ) {}

  async create(account: Pick<Account, 'id'>, bytes: Buffer): Promise<UploadView> {
    return this.store(account.id, await inspectAndReencode(bytes), null);
  }

  /**
   * Downloads an image for an account (a VideoJob's `spec.image.url`) and stores it exactly as an
   * upload would be: same inspection, same re-encoding, same row. Any failure is a 422 naming
   * `field`, and leaves nothing behind.
   */
  async createFromUrl(account: Pick<Account, 'id'>, url: string, field: string): Promise<UploadView> {
    const env = this.config.env;
    let fetched;
    try {
      fetched = await fetchImage(url, {
        allowPrivate: env.IMAGE_FETCH_ALLOW_PRIVATE,
        allowList: env.SSRF_ALLOW_CIDRS,
        timeoutMs: env.IMAGE_FETCH_TIMEOUT_MS,
        maxRedirects: env.IMAGE_FETCH_MAX_REDIRECTS,
        maxBytes: MAX_UPLOAD_BYTES,
      });
    } catch (error) {
      if (!(error instanceof ImageFetchError)) throw error;
      this.logger.warn({ reason: error.reason, host: safeHost(url) }, 'Refused an image URL');
      throw new DomainError(
        'UNPROCESSABLE',
        `The image at ${field} could not be downloaded: ${error.message}`,
        [{ field, message: error.message }],
      );
    }
    let image;
    try {
      image = await inspectAndReencode(fetched.bytes);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      throw new DomainError('UNPROCESSABLE', `The file at ${field} was refused: ${error.detail}`, [
        { field, message: error.detail },
      ]);
    }
    return this.store(account.id, image, url);
  }

  /**
   * Removes an upload nothing refers to (one made for a submission that was then refused), so a
   * refused submission leaves no trace. A row some job already points at is kept.
   */
  async discard(uploadId: string): Promise<void> {
    await this.storage.remove(await this.uploads.deleteUnreferenced(uploadId));
  }

  private async store(
    accountId: string,
    image: { png: Buffer; width: number; height: number },
    sourceUrl: string | null,
  ): Promise<UploadView> {
    const id = randomUUID();
    const key = `uploads/${accountId}/${id}.png`;
    const sha256 = createHash('sha256').update(image.png).digest('hex');
    await this.storage.put(key, image.png, 'image/png');
    await this.uploads.insert({
      id,
      accountId,
      objectKey: key,
      width: image.width,
      height: image.height,
      sizeBytes: image.png.length,
      sha256,
      sourceUrl,
    });
    return { id, width: image.width, height: image.height, sha256 };
  }
}

/** The host of a URL, for logs: never the path or query, which may carry a signature. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid)';
  }
}
