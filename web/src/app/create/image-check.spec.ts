import { checkImageFile, checkImageSize } from './image-check';

describe('checkImageFile', () => {
  it('should accept a PNG when it is under 10 MB', () => {
    expect(checkImageFile({ name: 'a.png', type: 'image/png', size: 1024 })).toBeNull();
  });

  it('should refuse a file when it is not an image the API accepts', () => {
    expect(checkImageFile({ name: 'a.gif', type: 'image/gif', size: 10 })).toMatch(/not a PNG, JPEG or WebP/);
  });

  it('should refuse an image when it is larger than 10 MB', () => {
    expect(checkImageFile({ name: 'big.jpg', type: 'image/jpeg', size: 11 * 1024 * 1024 })).toMatch(
      /11.0 MB/,
    );
  });

  it('should refuse an image when a side exceeds 4096 pixels', () => {
    expect(checkImageSize(5000, 1000)).toMatch(/at most 4096/);
    expect(checkImageSize(4096, 4096)).toBeNull();
  });
});
