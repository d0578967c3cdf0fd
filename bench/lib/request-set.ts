/** A set of request numbers as a bitset: compact enough to cross a process boundary for hundreds of thousands of requests. */
export class RequestSet {
  private bits: Uint8Array;
  private size = 0;

  constructor(bits: Uint8Array = new Uint8Array(1024)) {
    this.bits = bits;
    for (const byte of bits) this.size += popcount(byte);
  }

  static fromBase64(encoded: string): RequestSet {
    return new RequestSet(new Uint8Array(Buffer.from(encoded, 'base64')));
  }

  get count(): number {
    return this.size;
  }

  add(n: number): void {
    const index = n >> 3;
    if (index >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, index + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (n & 7);
    if ((this.bits[index]! & mask) === 0) {
      this.bits[index]! |= mask;
      this.size += 1;
    }
  }

  has(n: number): boolean {
    return ((this.bits[n >> 3] ?? 0) & (1 << (n & 7))) !== 0;
  }

  /** How many of this set's numbers `other` lacks. */
  countMissingFrom(other: RequestSet): number {
    let missing = 0;
    this.bits.forEach((byte, index) => {
      if (byte !== 0) missing += popcount(byte & ~(other.bits[index] ?? 0));
    });
    return missing;
  }

  toBase64(): string {
    return Buffer.from(this.bits.buffer, this.bits.byteOffset, this.bits.byteLength).toString('base64');
  }
}

function popcount(byte: number): number {
  let count = 0;
  for (let bits = byte; bits !== 0; bits &= bits - 1) count += 1;
  return count;
}
