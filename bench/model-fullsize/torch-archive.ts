// A torch.save-shaped archive written as a stream, at any size: pickle protocol 2 state dict
// (OrderedDict of _rebuild_tensor_v2 over persistent storages, as torch writes it) and one stored
// zip member per storage, with ZIP64 records once offsets pass 4 GB — the layout of the official
// umT5 (11 GB) and VAE .pth files. Tensor bytes come from a callback, chunk by chunk.
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

export interface ArchiveTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'BF16' | 'F32';
}

const STORAGE = { BF16: 'BFloat16Storage', F32: 'FloatStorage' } as const;
const BYTES = { BF16: 2, F32: 4 } as const;

function pickle(tensors: readonly ArchiveTensor[]): Buffer {
  const parts: Buffer[] = [];
  const op = (...bytes: number[]): void => void parts.push(Buffer.from(bytes));
  const text = (s: string): void => void parts.push(Buffer.from(s, 'latin1'));
  const int = (n: number): void => {
    if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new Error(`cannot pickle ${n} as BININT`);
    const b = Buffer.alloc(5);
    b[0] = 0x4a; // BININT
    b.writeInt32LE(n, 1);
    parts.push(b);
  };
  const unicode = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = 0x58; // BINUNICODE
    head.writeUInt32LE(b.length, 1);
    parts.push(head, b);
  };
  op(0x80, 0x02);
  text('ccollections\nOrderedDict\n');
  op(0x29, 0x52, 0x28); // EMPTY_TUPLE, REDUCE, MARK
  tensors.forEach((t, key) => {
    const numel = t.shape.reduce((a, b) => a * b, 1);
    unicode(t.name);
    text('ctorch._utils\n_rebuild_tensor_v2\n');
    op(0x28, 0x28); // MARK (args), MARK (persistent id)
    unicode('storage');
    text(`ctorch\n${STORAGE[t.dtype]}\n`);
    unicode(String(key));
    unicode('cpu');
    int(numel);
    op(0x74, 0x51); // TUPLE, BINPERSID
    int(0); // storage offset
    op(0x28);
    for (const d of t.shape) int(d);
    op(0x74, 0x28);
    t.shape.forEach((_, i) => int(t.shape.slice(i + 1).reduce((a, b) => a * b, 1)));
    op(0x74, 0x89); // TUPLE (strides), NEWFALSE (requires_grad)
    text('ccollections\nOrderedDict\n');
    op(0x29, 0x52, 0x74, 0x52); // OrderedDict(), TUPLE, REDUCE
  });
  op(0x75, 0x2e); // SETITEMS, STOP
  return Buffer.concat(parts);
}

interface Written {
  readonly name: Buffer;
  readonly crc: number;
  readonly size: number;
  readonly offset: number;
}

/** Writes `tensors` into `path`; `fill(tensor, bytes)` gives the next `bytes` bytes of a tensor. */
export async function writeTorchArchive(
  path: string,
  tensors: readonly ArchiveTensor[],
  fill: (tensor: ArchiveTensor, bytes: number) => Uint8Array,
  prefix = 'archive',
): Promise<number> {
  const handle = await open(path, 'w');
  const written: Written[] = [];
  let offset = 0;
  const member = async (name: string, size: number, chunks: () => Iterable<Uint8Array>): Promise<void> => {
    const nameBytes = Buffer.from(`${prefix}/${name}`);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(45, 4); // version needed: ZIP64
    header.writeUInt32LE(size, 18);
    header.writeUInt32LE(size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    const start = offset;
    await write(handle, Buffer.concat([header, nameBytes]), offset);
    offset += 30 + nameBytes.length;
    let crc = 0;
    for (const chunk of chunks()) {
      crc = crc32(chunk, crc);
      await write(handle, chunk, offset);
      offset += chunk.length;
    }
    const crcBytes = Buffer.alloc(4);
    crcBytes.writeUInt32LE(crc >>> 0);
    await write(handle, crcBytes, start + 14);
    written.push({ name: nameBytes, crc: crc >>> 0, size, offset: start });
  };
  try {
    const pkl = pickle(tensors);
    await member('data.pkl', pkl.length, () => [pkl]);
    for (const [key, t] of tensors.entries()) {
      const size = t.shape.reduce((a, b) => a * b, 1) * BYTES[t.dtype];
      if (size >= 0xffffffff) throw new Error(`${t.name}: members past 4 GB are not written here`);
      await member(`data/${key}`, size, function* () {
        for (let done = 0; done < size;) {
          const chunk = fill(t, Math.min(16 * 1024 * 1024, size - done));
          done += chunk.length;
          yield chunk;
        }
      });
    }
    const version = Buffer.from('3\n');
    await member('version', version.length, () => [version]);

    const cdStart = offset;
    for (const w of written) {
      const zip64 = w.offset >= 0xffffffff;
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(45, 4);
      cd.writeUInt16LE(45, 6);
      cd.writeUInt32LE(w.crc, 16);
      cd.writeUInt32LE(w.size, 20);
      cd.writeUInt32LE(w.size, 24);
      cd.writeUInt16LE(w.name.length, 28);
      cd.writeUInt16LE(zip64 ? 12 : 0, 30);
      cd.writeUInt32LE(zip64 ? 0xffffffff : w.offset, 42);
      const extra = Buffer.alloc(zip64 ? 12 : 0);
      if (zip64) {
        extra.writeUInt16LE(0x0001, 0);
        extra.writeUInt16LE(8, 2);
        extra.writeBigUInt64LE(BigInt(w.offset), 4);
      }
      const entry = Buffer.concat([cd, w.name, extra]);
      await write(handle, entry, offset);
      offset += entry.length;
    }
    const cdSize = offset - cdStart;
    const end = Buffer.alloc(56 + 20 + 22);
    end.writeUInt32LE(0x06064b50, 0); // ZIP64 end of central directory
    end.writeBigUInt64LE(44n, 4);
    end.writeUInt16LE(45, 12);
    end.writeUInt16LE(45, 14);
    end.writeBigUInt64LE(BigInt(written.length), 24);
    end.writeBigUInt64LE(BigInt(written.length), 32);
    end.writeBigUInt64LE(BigInt(cdSize), 40);
    end.writeBigUInt64LE(BigInt(cdStart), 48);
    end.writeUInt32LE(0x07064b50, 56); // ZIP64 locator
    end.writeBigUInt64LE(BigInt(offset), 64);
    end.writeUInt32LE(1, 72);
    end.writeUInt32LE(0x06054b50, 76); // end of central directory, fields in ZIP64
    end.writeUInt16LE(0xffff, 84);
    end.writeUInt16LE(0xffff, 86);
    end.writeUInt32LE(0xffffffff, 88);
    end.writeUInt32LE(0xffffffff, 92);
    await write(handle, end, offset);
    offset += end.length;
    return offset;
  } finally {
    await handle.close();
  }
}

async function write(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
