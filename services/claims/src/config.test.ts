import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

const base = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/reggie',
  S3_ACCESS_KEY_ID: 'key',
  S3_SECRET_ACCESS_KEY: 'secret',
};

describe('claims config', () => {
  it('defaults to the R2 shape: region auto, the claim bucket, 90 days, 10 and 5 minute URLs', () => {
    const config = loadConfig({ ...base, NODE_ENV: 'production' });

    expect(config).toMatchObject({
      S3_REGION: 'auto',
      S3_BUCKET: 'reggie-claim-documents',
      S3_FORCE_PATH_STYLE: false,
      S3_ENSURE_BUCKET: false,
      CLAIMS_RETENTION_DAYS: 90,
      CLAIMS_UPLOAD_URL_TTL_SECONDS: 600,
      CLAIMS_DOWNLOAD_URL_TTL_SECONDS: 300,
    });
  });

  it('creates the bucket in development and tests, and refuses to in production', () => {
    expect(loadConfig({ ...base }).S3_ENSURE_BUCKET).toBe(true);
    expect(
      loadConfig({ ...base, NODE_ENV: 'test', S3_ENSURE_BUCKET: 'false' }).S3_ENSURE_BUCKET,
    ).toBe(false);
    expect(() => loadConfig({ ...base, NODE_ENV: 'production', S3_ENSURE_BUCKET: 'true' })).toThrow(
      /S3_ENSURE_BUCKET/,
    );
  });

  it('takes a public endpoint for client URLs only when it is an http(s) URL', () => {
    const compose = { ...base, S3_ENDPOINT: 'http://minio:9000' };

    expect(loadConfig(compose).S3_PUBLIC_ENDPOINT).toBeUndefined();
    expect(loadConfig({ ...compose, S3_PUBLIC_ENDPOINT: '' }).S3_PUBLIC_ENDPOINT).toBeUndefined();
    expect(loadConfig({ ...compose, S3_PUBLIC_ENDPOINT: 'http://127.0.0.1:9000' })).toMatchObject({
      S3_ENDPOINT: 'http://minio:9000',
      S3_PUBLIC_ENDPOINT: 'http://127.0.0.1:9000',
    });
    for (const bad of ['127.0.0.1:9000', 'ftp://127.0.0.1:9000', 'not a url']) {
      expect(() => loadConfig({ ...compose, S3_PUBLIC_ENDPOINT: bad })).toThrow(
        /S3_PUBLIC_ENDPOINT/,
      );
    }
  });

  it('names every missing or bad variable in one message', () => {
    const attempt = () =>
      loadConfig({ DATABASE_URL: base.DATABASE_URL, CLAIMS_UPLOAD_URL_TTL_SECONDS: '3600' });

    expect(attempt).toThrow(/S3_ACCESS_KEY_ID[\s\S]*S3_SECRET_ACCESS_KEY|S3_SECRET/);
    expect(attempt).toThrow(/CLAIMS_UPLOAD_URL_TTL_SECONDS/);
  });
});
