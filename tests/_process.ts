/**
 * Child processes of the product for tests: the server (`main.ts`) or a
 * fixture script, with their JSON-lines output collected.
 * @module
 */

/** A running child process. */
export interface Child {
  process: Deno.ChildProcess;
  /** Every line written so far, stdout and stderr. */
  lines: string[];
  /** Resolves with the first output line matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` and waits for the exit status. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

const root = new URL("../", import.meta.url);

/** Starts `deno run -A <script> [args]` with `env` added to a clean environment. */
export function spawnDeno(script: string, env: Record<string, string>, args: string[] = []): Child {
  const clean = { ...Deno.env.toObject() };
  for (const k of ["DATABASE_URL", "DEMO", "ROLE", "PORT", "DATA_DIR"]) delete clean[k];
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd: root,
    env: { ...clean, ...env },
    clearEnv: true,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      lines.push(...parts);
      listeners.forEach((l) => l());
    }
    if (buffer) lines.push(buffer);
    listeners.forEach((l) => l());
  };
  const drained = Promise.all([collect(process.stdout), collect(process.stderr)]);
  return {
    process,
    lines,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = lines.find((l) => pattern.test(l));
          if (line !== undefined) {
            cleanup();
            resolve(line);
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`nessuna riga ${pattern} entro ${timeoutMs} ms:\n${lines.join("\n")}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        drained.then(() => {
          check();
          if (listeners.has(check)) {
            cleanup();
            reject(new Error(`processo terminato senza ${pattern}:\n${lines.join("\n")}`));
          }
        });
        check();
      });
    },
    async stop(signal: Deno.Signal = "SIGTERM") {
      try {
        process.kill(signal);
      } catch {
        // Already exited.
      }
      const status = await process.status;
      await drained;
      return status;
    },
  };
}

/** Starts the server and resolves once it listens, with its port. */
export async function startServer(env: Record<string, string>): Promise<Child & { port: number }> {
  const child = spawnDeno("main.ts", { PORT: "0", LOG_LEVEL: "info", ...env });
  const line = await child.waitFor(/"msg":"in ascolto"/, 60_000);
  return Object.assign(child, { port: JSON.parse(line).port as number });
}
