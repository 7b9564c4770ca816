// The one error type that carries an HTTP status; everything else is a 500.
export class AppError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const badRequest = (message: string) => new AppError(400, message);
export const unavailable = (message: string, retryAfterSeconds: number) =>
  new AppError(503, message, { "retry-after": String(retryAfterSeconds) });

export function toHttpError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError(500, "internal error");
}
