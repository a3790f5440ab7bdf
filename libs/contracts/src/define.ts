import type { z } from 'zod';

export interface CommandContract<
  Req extends z.ZodType = z.ZodType,
  Res extends z.ZodType = z.ZodType,
> {
  service: string;
  request: Req;
  reply: Res;
}

export interface EventContract<Data extends z.ZodType = z.ZodType> {
  source: string;
  data: Data;
}

/** Declares a command; the service is the first segment of its name. */
export function command<Req extends z.ZodType, Res extends z.ZodType>(
  service: string,
  request: Req,
  reply: Res,
): CommandContract<Req, Res> {
  return { service, request, reply };
}

/** Declares an event published by `source`. */
export function event<Data extends z.ZodType>(source: string, data: Data): EventContract<Data> {
  return { source, data };
}
