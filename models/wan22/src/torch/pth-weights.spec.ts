import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PthWeights } from './pth-weights.ts';

// A torch.save-shaped archive built by hand: pickle protocol 2 as torch writes it (OrderedDict,
// _rebuild_tensor_v2, persistent storage ids) in a stored zip under an archive prefix.
function pickleStateDict(): Buffer {
  const parts: Buffer[] = [];
  const op = (...bytes: number[]): void => void parts.push(Buffer.from(bytes));
  const text = (s: string): void => void parts.push(Buffer.from(s, 'latin1'));
  const unicode = (s: string): void => {
    const b = Buffer.from(s, 'utf8');
    op(0x58, b.length & 0xff, (b.length >> 8) & 0xff, 0, 0);
    parts.push(b);
  };
  const tensor = (storage: string, key: string, numel: number, offset: number, shape: number[]): void => {
    text('ctorch._utils\n_rebuild_tensor_v2\n');
    op(0x28); // MARK (args)
    op(0x28); // MARK (pid)
    unicode('storage');
    text(`ctorch\n${storage}\n`);
    unicode(key);
    unicode('cpu');
    op(0x4b, numel);
    op(0x74); // TUPLE
    op(0x51); // BINPERSID
    op(0x4b, offset);
    op(0x28, ...shape.flatMap((d) => [0x4b, d]), 0x74);
    const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
    op(0x28, ...strides.flatMap((d) => [0x4b, d]), 0x74);
    op(0x89); // requires_grad False
    text('ccollections\nOrderedDict\n');
    op(0x29, 0x52); // OrderedDict()
    op(0x74, 0x52); // TUPLE, REDUCE
  };
  op(0x80, 0x02);
  text('ccollections\nOrderedDict\n');
  op(0x71, 0x00, 0x29, 0x52, 0x71, 0x01, 0x28);
  unicode('blocks.0.w');
  tensor('BFloat16Storage', '0', 6, 0, [2, 3]);
  unicode('blocks.0.b');
  tensor('FloatStorage', '1', 4, 1, [3]);
  op(0x75, 0x2e); // SETITEMS, STOP
  return Buffer.concat(parts);
}

function storedZip(members: [string, Buffer][]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(n.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt32LE(crc32(data), 16);
    cd.writeUInt32LE(data.length, 20);
    cd.writeUInt32LE(data.length, 24);
    cd.writeUInt16LE(n.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    central.push(cd, n);
    offset += 30 + n.length + data.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, eocd]);
}

describe(PthWeights.name, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pth-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should read bf16 and float32 tensors in place when given a torch.save state dict', async () => {
    const bf16 = Buffer.from(new Uint16Array([0x3f80, 0x4000, 0x4040, 0xbf80, 0x3f00, 0x0000]).buffer);
    const f32 = Buffer.from(new Float32Array([9, 1.5, -2, 4]).buffer);
    const path = join(dir, 'model.pth');
    await writeFile(
      path,
      storedZip([
        ['model/data.pkl', pickleStateDict()],
        ['model/data/0', bf16],
        ['model/data/1', f32],
        ['model/version', Buffer.from('3\n')],
      ]),
    );
    const weights = await PthWeights.open(path);
    try {
      expect(weights.names).toEqual(['blocks.0.w', 'blocks.0.b']);
      expect(weights.shape('blocks.0.w')).toEqual([2, 3]);
      expect([...(await weights.float32('blocks.0.w'))]).toEqual([1, 2, 3, -1, 0.5, 0]);
      // Storage offset 1: the tensor starts at the second float.
      expect([...(await weights.float32('blocks.0.b'))]).toEqual([1.5, -2, 4]);
      const chunks: Uint8Array[] = [];
      for await (const c of weights.data('blocks.0.w', 'float16').chunks()) chunks.push(c);
      expect([...new Uint16Array(Uint8Array.from(Buffer.concat(chunks)).buffer)]).toEqual([
        0x3c00, 0x4000, 0x4200, 0xbc00, 0x3800, 0,
      ]);
    } finally {
      await weights.close();
    }
  });

  it('should refuse a file when it is not a zip archive', async () => {
    const path = join(dir, 'legacy.pth');
    await writeFile(path, Buffer.from('\x80\x02}q\x00.'));
    await expect(PthWeights.open(path)).rejects.toThrow(/not a zip archive/);
  });
});
