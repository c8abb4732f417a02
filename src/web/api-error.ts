// Owns the one shape of JSON errors, { error, code, message }, rendered from the verdict catalogue.
// Never a stack trace to a client.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { VERDICTS, type VerdictCode } from '../core/verdicts.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

export function errorBody(code: VerdictCode, message?: string): { error: string; code: VerdictCode; message: string } {
  const spec = VERDICTS[code];
  return { error: REASONS[spec.http] ?? 'Error', code, message: message ?? spec.text };
}

export function apiError(c: Context, code: VerdictCode, message?: string): Response {
  return c.json(errorBody(code, message), VERDICTS[code].http as ContentfulStatusCode);
}
