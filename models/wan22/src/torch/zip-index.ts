import type { FileHandle } from 'node:fs/promises';

/** One stored (uncompressed) member of a zip archive, located by absolute data offset. */
export interface ZipMember {
  readonly name: string;
  readonly dataOffset: number;
  readonly size: number;
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`zip ended at byte ${position + done} (truncated?)`);
    done += bytesRead;
  }
  return buf;
}

/**
 * Lists a zip archive's members from its central directory (ZIP64 included: PyTorch writes it for
 * checkpoints past 4 GB). Only stored members are accepted, as torch.save writes them: their data
 * can then be read in place by offset.
 */
export async function readZipIndex(handle: FileHandle, path: string): Promise<Map<string, ZipMember>> {
  const fileSize = (await handle.stat()).size;
  const tailLength = Math.min(fileSize, 65557 + 20);
  const tail = await readAt(handle, fileSize - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${path} is not a zip archive (PyTorch >= 1.6 checkpoint expected)`);
  let entries = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50)
      throw new Error(`${path}: ZIP64 locator missing`);
    const zip64At = Number(tail.readBigUInt64LE(locator + 8));
    const rec = await readAt(handle, zip64At, 56);
    if (rec.readUInt32LE(0) !== 0x06064b50) throw new Error(`${path}: ZIP64 end record missing`);
    entries = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  const cd = await readAt(handle, cdOffset, cdSize);
  const members = new Map<string, ZipMember>();
  let at = 0;
  for (let e = 0; e < entries; e++) {
    if (cd.readUInt32LE(at) !== 0x02014b50) throw new Error(`${path}: corrupt central directory entry ${e}`);
    const method = cd.readUInt16LE(at + 10);
    let compressed = cd.readUInt32LE(at + 20);
    let size = cd.readUInt32LE(at + 24);
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    let localOffset = cd.readUInt32LE(at + 42);
    const name = cd.toString('utf8', at + 46, at + 46 + nameLength);
    let x = at + 46 + nameLength;
    const extraEnd = x + extraLength;
    while (x + 4 <= extraEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let y = x + 4;
        if (size === 0xffffffff) {
          size = Number(cd.readBigUInt64LE(y));
          y += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = Number(cd.readBigUInt64LE(y));
          y += 8;
        }
        if (localOffset === 0xffffffff) localOffset = Number(cd.readBigUInt64LE(y));
      }
      x += 4 + len;
    }
    if (method !== 0)
      throw new Error(`${path}: member ${name} is compressed (method ${method}); torch.save stores them`);
    if (compressed !== size) throw new Error(`${path}: member ${name} has inconsistent sizes`);
    const local = await readAt(handle, localOffset, 30);
    if (local.readUInt32LE(0) !== 0x04034b50) throw new Error(`${path}: bad local header for ${name}`);
    const dataOffset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + size > fileSize)
      throw new Error(`${path}: member ${name} runs past the end (truncated?)`);
    members.set(name, { name, dataOffset, size });
    at = extraEnd + commentLength;
  }
  return members;
}

export { readAt };
