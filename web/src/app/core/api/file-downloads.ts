import { DOCUMENT, Injectable, inject } from '@angular/core';
import { FETCH } from './api-client';

export type DownloadOutcome = 'saved' | 'opened';

/**
 * Saves a job's output under a chosen file name. The output lives behind a presigned link on the
 * object store, another origin than the portal's, and browsers ignore `<a download>` on links to
 * another origin: a plain click would replace the portal with the video. So the file is fetched
 * and saved from a `blob:` address, which needs the store to allow cross-origin GETs (MinIO does
 * by default; S3 and R2 need a CORS rule). Where it does not, the video opens in a new tab and the
 * portal stays where it was.
 */
@Injectable({ providedIn: 'root' })
export class FileDownloads {
  private readonly fetchFn = inject(FETCH);
  private readonly document = inject(DOCUMENT);

  async save(url: string, fileName: string): Promise<DownloadOutcome> {
    let blob: Blob;
    try {
      // A presigned link carries its own authorisation: no token, no cookies.
      const response = await this.fetchFn(url, { credentials: 'omit' });
      if (!response.ok) throw new Error(`The store answered ${response.status}`);
      blob = await response.blob();
    } catch {
      this.document.defaultView?.open(url, '_blank', 'noopener');
      return 'opened';
    }
    const objectUrl = URL.createObjectURL(blob);
    const link = this.document.createElement('a');
    link.href = objectUrl;
    link.download = fileName;
    link.hidden = true;
    this.document.body.append(link);
    link.click();
    link.remove();
    // The browser has the bytes once the click is handled; keep the address a little for slow disks.
    setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
    return 'saved';
  }
}
