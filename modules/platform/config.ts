/**
 * Configuration read from environment variables and validated once at start.
 *
 * @example
 * ```ts
 * const config = loadConfig(Deno.env.toObject());
 * console.log(config.port); // 8000
 * ```
 * @module
 */
import { z } from "zod";

const booleanFlag = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");

const positiveInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  PORT: positiveInt(0, 65535).default(8000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "deve iniziare con postgres://")
    .optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  DEMO: booleanFlag.optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  ROLE: z.enum(["web", "worker", "all"]).default("all"),
  TRUST_PROXY: booleanFlag.default(false),
  SESSION_IDLE_MINUTES: positiveInt(1, 24 * 60).default(30),
  SESSION_MAX_HOURS: positiveInt(1, 7 * 24).default(12),
  MAX_BODY_BYTES: positiveInt(1024, 2 ** 31).default(1024 * 1024),
  MAX_UPLOAD_BYTES: positiveInt(1024, 2 ** 40).default(100 * 1024 * 1024),
  WORKER_CONCURRENCY: positiveInt(1, 64).default(2),
  JOB_STALE_SECONDS: positiveInt(2, 3600).default(30),
  SHUTDOWN_TIMEOUT_SECONDS: positiveInt(1, 600).default(15),
});

/** The validated configuration of one process. */
export interface Config {
  port: number;
  host: string;
  /** Absent when the embedded database is used. */
  databaseUrl?: string;
  dataDir: string;
  /** Load demo data: on by default for the embedded database, off for a given server. */
  demo: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  baseUrl?: string;
  /** Whether the public address is HTTPS: turns on HSTS and secure cookies. */
  https: boolean;
  role: "web" | "worker" | "all";
  /** Take the client address from `X-Forwarded-For` (behind a reverse proxy). */
  trustProxy: boolean;
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  maxBodyBytes: number;
  /** The largest flow file accepted by an upload (its route streams and limits its own body). */
  maxUploadBytes: number;
  workerConcurrency: number;
  jobStaleSeconds: number;
  shutdownTimeoutSeconds: number;
}

/** Raised when an environment variable has a value the product cannot use. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Validates the environment and returns the configuration, or throws a
 * {@linkcode ConfigError} whose message names every bad variable in Italian.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "not set": shells and .env files often leave them so.
  const present = Object.fromEntries(
    Object.keys(schema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const value = name === "DATABASE_URL" ? "(nascosto)" : JSON.stringify(present[name]);
      return `- ${name} = ${value}: ${describe(issue)}`;
    });
    throw new ConfigError(`Configurazione non valida:\n${lines.join("\n")}`);
  }
  const v = parsed.data;
  return {
    port: v.PORT,
    host: v.HOST,
    databaseUrl: v.DATABASE_URL,
    dataDir: v.DATA_DIR,
    demo: v.DEMO ?? v.DATABASE_URL === undefined,
    logLevel: v.LOG_LEVEL,
    baseUrl: v.BASE_URL,
    https: v.BASE_URL?.startsWith("https:") ?? false,
    role: v.ROLE,
    trustProxy: v.TRUST_PROXY,
    sessionIdleMinutes: v.SESSION_IDLE_MINUTES,
    sessionMaxHours: v.SESSION_MAX_HOURS,
    maxBodyBytes: v.MAX_BODY_BYTES,
    maxUploadBytes: v.MAX_UPLOAD_BYTES,
    workerConcurrency: v.WORKER_CONCURRENCY,
    jobStaleSeconds: v.JOB_STALE_SECONDS,
    shutdownTimeoutSeconds: v.SHUTDOWN_TIMEOUT_SECONDS,
  };
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_value":
      return `valori ammessi: ${issue.values.join(", ")}`;
    case "too_small":
      return `deve essere almeno ${issue.minimum}`;
    case "too_big":
      return `deve essere al massimo ${issue.maximum}`;
    case "invalid_type":
      return "deve essere un numero intero";
    case "invalid_format":
      return issue.format === "url" ? "deve essere un indirizzo http:// o https://" : issue.message;
    default:
      return issue.message;
  }
}
