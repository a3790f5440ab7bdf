import {
  type DocumentStore,
  type StorageOperation,
  StorageUnavailableError,
} from '../../src/storage/index.ts';

/** A real store a test can take down and bring back, to see what an outage leaves behind. */
export interface SwitchableStore extends DocumentStore {
  down: boolean;
}

const OPERATIONS: Record<keyof DocumentStore, StorageOperation> = {
  presignUpload: 'presign',
  presignDownload: 'presign',
  head: 'head',
  readFirstBytes: 'read',
  delete: 'delete',
  deleteMany: 'delete',
  ensureBucket: 'ensure_bucket',
  ping: 'ping',
};

export function switchable(inner: DocumentStore): SwitchableStore {
  const state = { down: false };
  const wrapped = {} as Record<keyof DocumentStore, unknown>;
  for (const [name, operation] of Object.entries(OPERATIONS) as [
    keyof DocumentStore,
    StorageOperation,
  ][]) {
    wrapped[name] = async (...args: unknown[]) => {
      // Signing is local computation and works whether or not the store answers.
      if (state.down && operation !== 'presign')
        throw StorageUnavailableError.because(operation, new Error('store down'));
      return (inner[name] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
    };
  }
  return Object.defineProperty(wrapped, 'down', {
    get: () => state.down,
    set: (value: boolean) => {
      state.down = value;
    },
  }) as unknown as SwitchableStore;
}
