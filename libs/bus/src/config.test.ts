import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from './config.ts';

const schema = z.object({
  DATABASE_URL: z.url(),
  PORT: z.coerce.number().int().default(3000),
  LOG_LEVEL: z.enum(['info', 'debug']).default('info'),
});

describe('config', () => {
  it('reads an empty value as unset, so it takes its default', () => {
    const config = parseConfig(schema, {
      DATABASE_URL: 'postgres://db/x',
      PORT: '',
      LOG_LEVEL: '',
    });
    expect(config).toEqual({ DATABASE_URL: 'postgres://db/x', PORT: 3000, LOG_LEVEL: 'info' });
  });

  it('names every bad or missing variable in one message', () => {
    expect(() =>
      parseConfig(schema, { DATABASE_URL: '', PORT: 'many', LOG_LEVEL: 'loud' }),
    ).toThrow(/invalid configuration:\n {2}DATABASE_URL: .+\n {2}PORT: .+\n {2}LOG_LEVEL: .+/);
  });

  it('hands back a frozen object', () => {
    const config = parseConfig(schema, { DATABASE_URL: 'postgres://db/x' });
    expect(Object.isFrozen(config)).toBe(true);
  });
});
