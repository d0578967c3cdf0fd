/**
 * Where the client keeps the consent ID, the choices and the offline queue: a small key-value store the app
 * provides. AsyncStorage fits as it is; SecureStore through secureStoreStorage(); Node through
 * `@samtykke/client/node`'s fileStorage(). Without one, memoryStorage() keeps them for the process's life only.
 */

export interface StorageAdapter {
  getItem(key: string): Promise<string | null> | string | null;
  setItem(key: string, value: string): Promise<void> | void;
  removeItem(key: string): Promise<void> | void;
}

/** Kept in memory: lost when the app or program ends. For tests, and programs that need nothing kept. */
export function memoryStorage(): StorageAdapter {
  const items = new Map<string, string>();
  return {
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

/** The part of expo-secure-store the client uses. */
export interface SecureStoreLike {
  getItemAsync(key: string): Promise<string | null>;
  setItemAsync(key: string, value: string): Promise<void>;
  deleteItemAsync(key: string): Promise<void>;
}

/**
 * expo-secure-store as a StorageAdapter. The client's keys (`samtykke.<site>.consent`) use only the characters
 * SecureStore allows. Some platforms limit a SecureStore value to about 2 KB, which a long offline queue exceeds:
 * give `queueStorage` (AsyncStorage) for the queue then, and keep the consent in SecureStore.
 */
export function secureStoreStorage(store: SecureStoreLike): StorageAdapter {
  return {
    getItem: (key) => store.getItemAsync(key),
    setItem: (key, value) => store.setItemAsync(key, value),
    removeItem: (key) => store.deleteItemAsync(key),
  };
}

/**
 * One stored JSON value, written in the order the writes were asked for: a write that starts after a later one
 * would put an older queue back.
 */
export class StoredValue<T> {
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: StorageAdapter,
    readonly key: string,
  ) {}

  async read(): Promise<T | null> {
    const text = await this.storage.getItem(this.key);
    if (text === null || text === undefined) return null;
    try {
      return JSON.parse(text) as T;
    } catch {
      // A value this client did not write (or a torn write on a storage without atomic writes): start afresh.
      return null;
    }
  }

  /** Resolves once this value (or a later one) is stored; rejects when the storage failed to store it. */
  write(value: T | null): Promise<void> {
    const text = value === null ? null : JSON.stringify(value);
    const written = this.writing.then(() => (text === null ? this.storage.removeItem(this.key) : this.storage.setItem(this.key, text)));
    this.writing = written.catch(() => undefined);
    return written;
  }
}
