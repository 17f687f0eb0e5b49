/**
 * Structured logs: one JSON object per line on standard output.
 *
 * Callers pass only technical fields (request id, path without query, status,
 * timings, job ids); personal data never reach a log line.
 *
 * @example
 * ```ts
 * const log = createLogger("info");
 * log.info("server started", { port: 8000 });
 * ```
 * @module
 */

/** Severity levels, in increasing order. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Technical fields attached to a log line. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A logger writing JSON lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const personalPatterns = [
  // Codice fiscale of a person (omocodia letters included) and of a legal entity.
  /\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b/gi,
  /\b\d{11}\b/g,
  /[^\s@"']+@[^\s@"']+\.[a-z]{2,}/gi,
];

/**
 * Masks what looks like a codice fiscale, a partita IVA or an e-mail address
 * in free text (error messages) before it reaches a log line.
 */
export function redact(text: string): string {
  return personalPatterns.reduce((t, re) => t.replace(re, "[riservato]"), text);
}

/** Creates a logger that drops lines below `level` and writes the rest to `write`. */
export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (line) => console.log(line),
): Logger {
  const emit = (lvl: LogLevel) => (msg: string, fields: LogFields = {}) => {
    if (rank[lvl] < rank[level]) return;
    write(JSON.stringify({ ts: new Date().toISOString(), level: lvl, msg, ...fields }));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}
