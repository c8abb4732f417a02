// Owns request validation: JSON bodies and query strings through zod, with one readable sentence
// naming the field on failure.
import type { Context } from 'hono';
import type { z } from 'zod';

export class InvalidRequest extends Error {}

export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new InvalidRequest('the request body must be a JSON object');
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new InvalidRequest(firstIssue(parsed.error));
  return parsed.data;
}

export function query<T extends z.ZodType>(c: Context, schema: T): z.infer<T> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) throw new InvalidRequest(firstIssue(parsed.error));
  return parsed.data;
}

export function idParam(c: Context, name = 'id'): number {
  const raw = c.req.param(name) ?? '';
  if (!/^[1-9]\d{0,15}$/.test(raw)) throw new InvalidRequest(`${name} must be a positive whole number`);
  return Number(raw);
}
