/**
 * Subject names. Every subject starts with a prefix (`reggie` in production) so that
 * independent runs on one NATS server, such as two test runs, never see each other.
 */
export function commandSubject(prefix: string, name: string): string {
  return `${prefix}.cmd.${name}`;
}

export function eventSubject(prefix: string, source: string, type: string): string {
  return `${prefix}.evt.${source}.${type}`;
}

export function eventsWildcard(prefix: string): string {
  return `${prefix}.evt.>`;
}

export function deadLetterSubject(prefix: string, consumer: string, type: string): string {
  return `${prefix}.dlq.${consumer}.${type}`;
}

export function streamName(prefix: string, kind: 'EVENTS' | 'DLQ'): string {
  return `${prefix.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}_${kind}`;
}

export const headerNames = {
  requestId: 'Reggie-Request-Id',
  traceparent: 'traceparent',
  msgId: 'Nats-Msg-Id',
} as const;
