export * from './document-store.ts';
export * from './errors.ts';
export * from './magic.ts';
export { S3DocumentStore, type S3DocumentStoreOptions } from './s3-document-store.ts';
