/**
 * Opaque keyset cursors. The client gets a base64url string; the service gets back the
 * values of the last row it served. A cursor that does not decode is treated as bad input.
 */
export function encodeCursor(values: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor<K extends string>(
  cursor: string,
  keys: readonly K[],
): Record<K, string> | null {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    const out = {} as Record<K, string>;
    for (const key of keys) {
      const value = parsed[key];
      if (typeof value !== 'string' && typeof value !== 'number') return null;
      out[key] = String(value);
    }
    return out;
  } catch {
    return null;
  }
}
