import { TestBed } from '@angular/core/testing';
import { FETCH } from './api-client';
import { FileDownloads } from './file-downloads';

function setup(fetchFn: typeof fetch) {
  TestBed.configureTestingModule({ providers: [{ provide: FETCH, useValue: fetchFn }] });
  return TestBed.inject(FileDownloads);
}

describe(FileDownloads.name, () => {
  afterEach(() => vi.restoreAllMocks());

  it('should save the fetched file under the given name from a blob address', async () => {
    const fetchFn = vi.fn<typeof fetch>(
      async () => new Response(new Blob(['mp4 bytes'], { type: 'video/mp4' })),
    );
    const downloads = setup(fetchFn);
    vi.spyOn(URL, 'createObjectURL').mockReturnValue('blob:http://portal.test/1');
    vi.spyOn(URL, 'revokeObjectURL').mockReturnValue(undefined);
    const clicked: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
    const open = vi.spyOn(window, 'open').mockReturnValue(null);

    await expect(downloads.save('https://s3.test/v.mp4?sig=1', 'cineweave-1234.mp4')).resolves.toBe('saved');

    expect(fetchFn).toHaveBeenCalledWith('https://s3.test/v.mp4?sig=1', { credentials: 'omit' });
    expect(clicked).toEqual([{ href: 'blob:http://portal.test/1', download: 'cineweave-1234.mp4' }]);
    expect(open).not.toHaveBeenCalled();
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('should open the link in a new tab when the store refuses a cross-origin read', async () => {
    const downloads = setup(
      vi.fn<typeof fetch>(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const open = vi.spyOn(window, 'open').mockReturnValue(null);

    await expect(downloads.save('https://s3.test/v.mp4?sig=1', 'cineweave-1234.mp4')).resolves.toBe('opened');

    expect(open).toHaveBeenCalledWith('https://s3.test/v.mp4?sig=1', '_blank', 'noopener');
  });
});
