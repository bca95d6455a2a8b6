// A restricted unpickler for PyTorch state dicts: it builds plain data (dicts, lists, tuples,
// numbers, strings) and understands only the globals a state dict uses. Nothing is executed, so a
// hostile checkpoint cannot run code; unknown globals become inert placeholders.

export interface PickleGlobal {
  readonly kind: 'global';
  readonly name: string; // "module.qualname"
}

export interface PickleCall {
  readonly kind: 'call';
  readonly fn: string;
  readonly args: readonly unknown[];
}

/** The persistent id torch writes for a storage: ('storage', <StorageType>, key, location, numel). */
export interface StorageRef {
  readonly kind: 'storage';
  readonly storageType: string;
  readonly key: string;
  readonly numel: number;
}

export interface TensorRef {
  readonly kind: 'tensor';
  readonly storage: StorageRef;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];
}

const MARK = Symbol('mark');

function isGlobal(v: unknown): v is PickleGlobal {
  return typeof v === 'object' && v !== null && (v as PickleGlobal).kind === 'global';
}

function call(fn: unknown, args: readonly unknown[]): unknown {
  const name = isGlobal(fn) ? fn.name : '?';
  switch (name) {
    case 'collections.OrderedDict':
    case 'builtins.dict':
      return new Map<unknown, unknown>();
    case 'torch._utils._rebuild_tensor_v2':
    case 'torch._utils._rebuild_tensor': {
      const [storage, offset, shape, stride] = args as [StorageRef, number, number[], number[]];
      if (storage?.kind !== 'storage') throw new Error('checkpoint tensor without a storage');
      return { kind: 'tensor', storage, offset, shape: [...shape], stride: [...stride] } satisfies TensorRef;
    }
    case 'torch._utils._rebuild_parameter':
    case 'torch._utils._rebuild_parameter_with_state':
      return args[0];
    default:
      return { kind: 'call', fn: name, args } satisfies PickleCall;
  }
}

export function unpickle(data: Uint8Array): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const decoder = new TextDecoder();
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const popMark = (): unknown[] => {
    const items: unknown[] = [];
    for (;;) {
      const v = stack.pop();
      if (v === MARK) return items.reverse();
      if (stack.length === 0 && v === undefined) throw new Error('pickle: MARK not found');
      items.push(v);
    }
  };
  const u8 = (): number => data[pos++];
  const u16 = (): number => ((pos += 2), view.getUint16(pos - 2, true));
  const u32 = (): number => ((pos += 4), view.getUint32(pos - 4, true));
  const str = (n: number): string => ((pos += n), decoder.decode(data.subarray(pos - n, pos)));
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    const s = decoder.decode(data.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const setItems = (target: unknown, items: unknown[]): void => {
    if (!(target instanceof Map)) throw new Error('pickle: SETITEMS on a non-dict');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  while (pos < data.length) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        pos += 1;
        break;
      case 0x95: // FRAME
        pos += 8;
        break;
      case 0x2e: // STOP
        return stack.pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85:
        stack.push([stack.pop()]);
        break;
      case 0x86: {
        const b = stack.pop();
        stack.push([stack.pop(), b]);
        break;
      }
      case 0x87: {
        const c = stack.pop();
        const b = stack.pop();
        stack.push([stack.pop(), b, c]);
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(((pos += 4), view.getInt32(pos - 4, true)));
        break;
      case 0x8a: {
        // LONG1
        const n = u8();
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(data[pos + i]);
        if (n > 0 && data[pos + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        pos += n;
        stack.push(Number(v));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        stack.push(((pos += 8), view.getFloat64(pos - 8, false)));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(u32()));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(u8()));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(str(u8()));
        break;
      case 0x54: // BINSTRING
        stack.push(str(u32()));
        break;
      case 0x43: {
        // SHORT_BINBYTES
        const n = u8();
        stack.push(data.slice(pos, pos + n));
        pos += n;
        break;
      }
      case 0x42: {
        // BINBYTES
        const n = u32();
        stack.push(data.slice(pos, pos + n));
        pos += n;
        break;
      }
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push({ kind: 'global', name: `${module}.${line()}` } satisfies PickleGlobal);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = stack.pop() as string;
        stack.push({ kind: 'global', name: `${String(stack.pop())}.${name}` } satisfies PickleGlobal);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack[stack.length - 1]);
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x68: // BINGET
        stack.push(memo.get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32()));
        break;
      case 0x73: {
        // SETITEM
        const v = stack.pop();
        const k = stack.pop();
        setItems(stack[stack.length - 1], [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(stack[stack.length - 1], items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = stack.pop();
        (stack[stack.length - 1] as unknown[]).push(v);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        (stack[stack.length - 1] as unknown[]).push(...items);
        break;
      }
      case 0x52: {
        // REDUCE
        const args = stack.pop() as unknown[];
        stack.push(call(stack.pop(), args));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = stack.pop() as unknown[];
        stack.push(call(stack.pop(), args));
        break;
      }
      case 0x62: // BUILD: state for the object below; state dicts only carry _metadata here.
        stack.pop();
        break;
      case 0x51: {
        // BINPERSID
        const pid = stack.pop() as unknown[];
        if (!Array.isArray(pid) || pid[0] !== 'storage') throw new Error('pickle: unsupported persistent id');
        const type = pid[1];
        stack.push({
          kind: 'storage',
          storageType: isGlobal(type) ? type.name : String(type),
          key: String(pid[2]),
          numel: Number(pid[4]),
        } satisfies StorageRef);
        break;
      }
      default:
        throw new Error(`pickle: unsupported opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
  throw new Error('pickle: no STOP opcode');
}
