// A tiny key-value store in IndexedDB (kept across reloads; structured-clone values). Failures (private mode,
// storage disabled) are reported to the caller, never thrown at the UI.

const DB = 'dptab-cascade';
const STORE = 'kv';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function tx<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = work(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export const kvGet = <T>(key: string): Promise<T | undefined> => tx<T | undefined>('readonly', (s) => s.get(key) as IDBRequest<T | undefined>);
export const kvPut = (key: string, value: unknown): Promise<IDBValidKey> => tx('readwrite', (s) => s.put(value, key));
