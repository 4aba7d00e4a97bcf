/**
 * Memory for record arrays whose records are laid out by cache line (packet records, port
 * records): an ArrayBuffer whose first byte sits on a cache-line boundary.
 *
 * Why: a plain `new ArrayBuffer(n)` of more than a few KB comes from the C allocator, whose
 * blocks start 16 bytes past a boundary (glibc: `%DebugPrint` of a large typed array shows
 * data_ptr ≡ 0x10 mod 64). A 32-byte packet record then straddles two lines every other packet,
 * and a port record's "line 0" spans two lines, so a hop touches about one line more than the
 * layout was designed for. WebAssembly memory is mapped by pages (64 KiB), so its buffer is
 * aligned everywhere the core runs (Node, workers, browsers); it costs at most a page of slack.
 */
const WASM_PAGE_BYTES = 65536;

export function alignedBuffer(bytes: number): ArrayBuffer {
  const pages = pagesFor(bytes);
  return new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
}

/** An Int32Array of `length` zeros that starts on a cache-line boundary. */
export function alignedInt32Array(length: number): Int32Array {
  return new Int32Array(alignedBuffer(4 * length), 0, length);
}

/**
 * Line-aligned memory that grows in place: a WebAssembly memory without a fixed maximum, whose
 * `grow` keeps the bytes where they are (V8 reserves a 32-bit memory's whole address range up
 * front, so growing maps more pages rather than copying). A pool that doubles a plain buffer
 * instead copies everything it holds and touches every page twice — once in the copy, once in
 * the old buffer's life — which at 9 M packets in flight (65,536 hosts) took seconds (a 576 MB
 * copy, page by page, on a VM where each first touch of a page is a fault). After `grow`, the
 * old `buffer` is detached: take views of `buffer` again. Limited to 4 GiB (32-bit memory).
 */
export class GrowableMemory {
  private readonly memory: WebAssembly.Memory;

  constructor(bytes: number) {
    this.memory = new WebAssembly.Memory({ initial: pagesFor(bytes) });
  }

  get buffer(): ArrayBuffer {
    return this.memory.buffer;
  }

  /** Grow to at least `bytes` (new bytes are zero); `buffer` is a new object afterwards. */
  growTo(bytes: number): ArrayBuffer {
    const have = this.memory.buffer.byteLength / WASM_PAGE_BYTES;
    const want = pagesFor(bytes);
    if (want > have) this.memory.grow(want - have);
    return this.memory.buffer;
  }
}

function pagesFor(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
}
