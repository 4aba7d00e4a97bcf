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
  const pages = Math.max(1, Math.ceil(bytes / WASM_PAGE_BYTES));
  return new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer;
}

/** An Int32Array of `length` zeros that starts on a cache-line boundary. */
export function alignedInt32Array(length: number): Int32Array {
  return new Int32Array(alignedBuffer(4 * length), 0, length);
}
