/** An item that remembers where it sits, so it can be re-keyed or removed without a search. */
export interface HeapSlot {
  /** -1 while the item is not in a heap. */
  heapIndex: number;
}

/**
 * A binary min-heap whose items carry their own index. The fair queue re-keys a team when a late
 * charge correction arrives and drops it when its last waiting job is cancelled; both must not
 * cost a scan over every team, or one pick would grow with the number of teams instead of its log.
 */
export class IndexedMinHeap<T extends HeapSlot> {
  private readonly items: T[] = [];
  private readonly less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.less = less;
  }

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  has(item: T): boolean {
    return item.heapIndex >= 0 && this.items[item.heapIndex] === item;
  }

  push(item: T): void {
    item.heapIndex = this.items.length;
    this.items.push(item);
    this.up(item.heapIndex);
  }

  pop(): T | undefined {
    const top = this.items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  remove(item: T): void {
    const index = item.heapIndex;
    const last = this.items[this.items.length - 1];
    this.items.length -= 1;
    item.heapIndex = -1;
    if (last === item) return;
    this.items[index] = last;
    last.heapIndex = index;
    this.update(last);
  }

  /** Restores the order after the caller changed `item`'s key (either way). */
  update(item: T): void {
    this.up(item.heapIndex);
    this.down(item.heapIndex);
  }

  private up(index: number): void {
    const item = this.items[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = this.items[parentIndex];
      if (!this.less(item, parent)) break;
      this.place(parent, index);
      index = parentIndex;
    }
    this.place(item, index);
  }

  private down(index: number): void {
    const item = this.items[index];
    const count = this.items.length;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= count) break;
      const right = left + 1;
      const child = right < count && this.less(this.items[right], this.items[left]) ? right : left;
      if (!this.less(this.items[child], item)) break;
      this.place(this.items[child], index);
      index = child;
    }
    this.place(item, index);
  }

  private place(item: T, index: number): void {
    this.items[index] = item;
    item.heapIndex = index;
  }
}
