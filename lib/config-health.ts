import { z } from "zod";
import { defaultHealthThresholds, type HealthThresholds } from "./domain/health";
import { envSettings } from "./config-env";

// Health thresholds from the environment (README "Health"), validated; unset ones keep their defaults.
const schema = z.object({
  HEALTH_ERROR_RATE: z.coerce.number().min(0).max(1).default(defaultHealthThresholds.errorRate),
  HEALTH_ERROR_RATIO: z.coerce.number().min(1).default(defaultHealthThresholds.errorRatio),
  HEALTH_SLOW_RATIO: z.coerce.number().min(1).default(defaultHealthThresholds.slowRatio),
  HEALTH_SLOW_MIN_MS: z.coerce.number().min(0).default(defaultHealthThresholds.slowMinMs),
  HEALTH_MIN_REQUESTS: z.coerce.number().min(0).default(defaultHealthThresholds.minRequests),
});

export const healthThresholds: (env?: NodeJS.ProcessEnv) => HealthThresholds = envSettings(schema, (v) => ({
  errorRate: v.HEALTH_ERROR_RATE,
  errorRatio: v.HEALTH_ERROR_RATIO,
  slowRatio: v.HEALTH_SLOW_RATIO,
  slowMinMs: v.HEALTH_SLOW_MIN_MS,
  minRequests: v.HEALTH_MIN_REQUESTS,
}));
