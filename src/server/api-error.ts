// API failures as Kubernetes `Status` objects (NotFound, AlreadyExists, Invalid, Conflict...), which kubectl prints as it would for a cluster.
import { WasmpodError } from '../errors.js';
import type { FieldError } from '../spec/errors.js';
import { summarize, toCause, type StatusCause } from './field-errors.js';

export type { StatusCause } from './field-errors.js';

export interface StatusDetails {
  name?: string;
  kind?: string;
  causes?: StatusCause[];
}

/** One failed request: its HTTP code, the Status `reason` and the details kubectl shows. */
export class ApiError extends WasmpodError {
  readonly code = 'ERR_API';
  constructor(readonly httpCode: number, readonly reason: string, message: string, readonly details?: StatusDetails) {
    super(message);
  }

  /** The `v1` Status object sent as the response body. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, ...(this.details ? { details: this.details } : {}), code: this.httpCode,
    };
  }
}

export const apiErrors = {
  notFound: (resource: string, name: string): ApiError =>
    new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource }),
  alreadyExists: (resource: string, name: string): ApiError =>
    new ApiError(409, 'AlreadyExists', `${resource} "${name}" already exists`, { name, kind: resource }),
  conflict: (resource: string, name: string, why: string): ApiError =>
    new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource }),
  /**
   * A 422 Invalid as the API server words it: `Pod "x" is invalid: <field>: <body>` (several in brackets), one cause
   * per error. `body` is the request's object, where the bad values are read from.
   */
  invalid: (kind: string, name: string, errors: FieldError[], body?: unknown): ApiError => {
    const causes = errors.map((e) => toCause(e, body));
    return new ApiError(422, 'Invalid', `${kind} ${JSON.stringify(name)} is invalid: ${summarize(causes)}`, { name, kind, causes });
  },
  badRequest: (message: string): ApiError => new ApiError(400, 'BadRequest', message),
  methodNotAllowed: (method: string, what: string): ApiError =>
    new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource: ${method} ${what}`),
  unsupportedMediaType: (type: string): ApiError =>
    new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got "${type}")`),
  unauthorized: (): ApiError => new ApiError(401, 'Unauthorized', 'Unauthorized'),
  gone: (message: string): ApiError => new ApiError(410, 'Expired', message),
  tooLarge: (limit: number): ApiError => new ApiError(413, 'RequestEntityTooLarge', `request entity too large: limit is ${limit} bytes`),
  internal: (message: string): ApiError => new ApiError(500, 'InternalError', `Internal error occurred: ${message}`),
};
