import { errorCodes } from '@reggie/contracts';
import { z } from 'zod';

/** The problem+json body every error response carries, for the API reference. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(errorCodes),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose();

export const problemResponses = {
  '4xx': problemSchema,
  '5xx': problemSchema,
};

/** `?cursor=&limit=` on every paginated list. */
export const pageQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
