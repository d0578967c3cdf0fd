/**
 * Promises by key for a fixed time and up to a fixed number of keys: a burst of requests for one key makes one
 * load, a failed load is forgotten, and a stream of distinct keys (random site keys, say) evicts the oldest
 * entries instead of growing memory. With `staleIf`, a reload that fails that way (the database does not answer)
 * serves the value it was to replace, until a reload succeeds.
 */
interface Entry<V> {
  readonly value: Promise<V>;
  readonly expiresAt: number;
  /** The value once loaded, kept to stand in when a reload fails. */
  loaded?: { readonly value: V };
}

export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly staleIf: (error: unknown) => boolean = () => false,
  ) {}

  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > now) return cached.value;
    const previous = cached?.loaded;
    const value = previous
      ? load().catch((error: unknown) => {
          if (this.staleIf(error)) return previous.value;
          throw error;
        })
      : load();
    const entry: Entry<V> = { value, expiresAt: now + this.ttlMs };
    // Re-inserting keeps the Map's insertion order oldest-first, so the first key is always the one to evict.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, entry);
    value.then(
      (loaded) => (entry.loaded = { value: loaded }),
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return value;
  }

  get size(): number {
    return this.entries.size;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
