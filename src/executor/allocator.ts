// Substrate's freeing-bump allocator (sc-allocator `FreeingBumpHeapAllocator`), which runtimes rely on:
// power-of-two size classes from 8 bytes to 32 MiB, an 8-byte header before each block (occupied:
// order | 1 << 32; free: link to the next free block or u32::MAX), per-class free lists, a bump pointer
// from `__heap_base`, and failure when the heap is exhausted. Poisoned after any error, as Substrate's.

import { ExecutorError } from './errors.ts'

const ALIGNMENT = 8
const HEADER_SIZE = 8
const N_ORDERS = 23
const MIN_POSSIBLE_ALLOCATION = 8
export const MAX_POSSIBLE_ALLOCATION = 32 * 1024 * 1024
const NIL_MARKER = 0xffffffff
const OCCUPIED = 0x1_0000_0000n

/** Memory as the allocator sees it: current size and little-endian u64 access. */
export interface AllocatorMemory {
  size(): number
  readU64(ptr: number): bigint
  writeU64(ptr: number, v: bigint): void
}

function orderOf(size: number): number {
  if (size > MAX_POSSIBLE_ALLOCATION) throw new ExecutorError('OutOfMemory', `requested allocation of ${size} bytes exceeds ${MAX_POSSIBLE_ALLOCATION}`)
  // order = log2(next power of two >= max(size, 8)) - 3
  return size <= MIN_POSSIBLE_ALLOCATION ? 0 : 32 - Math.clz32(size - 1) - 3
}

export class FreeingBumpAllocator {
  private bumper: number
  private readonly freeLists: number[] = new Array(N_ORDERS).fill(NIL_MARKER)
  private poisoned = false
  /** Bytes currently allocated (headers included), for statistics. */
  inUse = 0
  peak = 0

  constructor(heapBase: number) {
    this.bumper = Math.ceil(heapBase / ALIGNMENT) * ALIGNMENT
  }

  /** End of the bumped region: everything the heap ever handed out lies below it. */
  get highWater(): number {
    return this.bumper
  }

  allocate(mem: AllocatorMemory, size: number): number {
    if (this.poisoned) throw new ExecutorError('OutOfMemory', 'allocator poisoned by an earlier error')
    try {
      const order = orderOf(size)
      const blockSize = MIN_POSSIBLE_ALLOCATION << order
      let headerPtr: number
      const head = this.freeLists[order]
      if (head !== NIL_MARKER) {
        const header = mem.readU64(head)
        if (header & OCCUPIED) throw new ExecutorError('OutOfMemory', 'allocator free list points at an occupied block')
        this.freeLists[order] = Number(header & 0xffffffffn)
        headerPtr = head
      } else {
        const needed = blockSize + HEADER_SIZE
        if (this.bumper + needed > mem.size()) throw new ExecutorError('OutOfMemory', `heap exhausted: cannot allocate ${size} bytes`)
        headerPtr = this.bumper
        this.bumper += needed
      }
      mem.writeU64(headerPtr, BigInt(order) | OCCUPIED)
      this.inUse += blockSize + HEADER_SIZE
      if (this.inUse > this.peak) this.peak = this.inUse
      return headerPtr + HEADER_SIZE
    } catch (e) {
      this.poisoned = true
      throw e
    }
  }

  deallocate(mem: AllocatorMemory, ptr: number): void {
    if (this.poisoned) throw new ExecutorError('OutOfMemory', 'allocator poisoned by an earlier error')
    try {
      const headerPtr = ptr - HEADER_SIZE
      if (headerPtr < 0 || headerPtr + HEADER_SIZE > mem.size()) throw new ExecutorError('BadHostCall', `free of an invalid pointer ${ptr}`)
      const header = mem.readU64(headerPtr)
      if (!(header & OCCUPIED)) throw new ExecutorError('BadHostCall', `free of a pointer that is not allocated (${ptr})`)
      const order = Number(header & 0xffffffffn)
      if (order >= N_ORDERS) throw new ExecutorError('BadHostCall', `free of a pointer with a corrupt header (${ptr})`)
      mem.writeU64(headerPtr, BigInt(this.freeLists[order]))
      this.freeLists[order] = headerPtr
      this.inUse -= (MIN_POSSIBLE_ALLOCATION << order) + HEADER_SIZE
    } catch (e) {
      this.poisoned = true
      throw e
    }
  }
}
