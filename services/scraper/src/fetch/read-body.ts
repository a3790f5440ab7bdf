export type BodyRead =
  | { kind: 'complete'; bytes: Buffer }
  | { kind: 'truncated'; bytes: Buffer }
  | { kind: 'too_large' };

/**
 * Reads a response body up to `limit` bytes. Past it, stops reading at once (leaving the
 * loop destroys the stream, which closes the connection) and either keeps what fits or
 * gives up, so a 50 MB page costs us no more than the limit.
 */
export async function readBounded(
  body: AsyncIterable<Uint8Array>,
  limit: number,
  overflow: 'fail' | 'truncate',
): Promise<BodyRead> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size + chunk.byteLength > limit) {
      if (overflow === 'fail') return { kind: 'too_large' };
      chunks.push(chunk.subarray(0, limit - size));
      return { kind: 'truncated', bytes: Buffer.concat(chunks) };
    }
    chunks.push(chunk);
    size += chunk.byteLength;
  }
  return { kind: 'complete', bytes: Buffer.concat(chunks) };
}

/** Decodes with the charset named in Content-Type when we know it, else UTF-8. */
export function decodeBody(bytes: Uint8Array, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}
