import { isUnavailableError } from "../db/pool";
import { AppError, unavailable } from "../errors";

/**
 * Any error of a read as the one error type pages and routes show: an AppError keeps its status and message, a
 * database that cannot be reached is 503 "database unavailable" (decided by error code), anything else a 500.
 */
export function queryError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isUnavailableError(err)) return unavailable("database unavailable", 5);
  console.error(err);
  return new AppError(500, "internal error");
}
