/**
 * Access restrictions of an ente (INPS message 2019/2017): registered IP
 * ranges and a daily time window in Italian time. Checked at login, at the
 * choice of the active ente and on every request.
 *
 * @example
 * ```ts
 * accessProblem({ ipConsentiti: ["10.0.0.0/8"], orarioInizio: null, orarioFine: null }, "10.1.2.3", new Date());
 * // undefined: allowed
 * ```
 * @module
 */

/** The restrictions of an ente. */
export interface AccessRules {
  ipConsentiti: string[];
  orarioInizio: string | null;
  orarioFine: string | null;
}

/** The Italian reason access is refused, or undefined when it is allowed. */
export function accessProblem(
  rules: AccessRules,
  ip: string | null,
  now: Date,
): string | undefined {
  if (rules.ipConsentiti.length > 0 && !(ip && rules.ipConsentiti.some((r) => ipInCidr(ip, r)))) {
    return `L'ente consente l'accesso solo dalla propria rete: l'indirizzo ${
      ip ?? "sconosciuto"
    } non è tra quelli registrati. Rivolgersi al referente SIUSS dell'ente.`;
  }
  if (rules.orarioInizio && rules.orarioFine) {
    const time = romeTime(now);
    const { orarioInizio: from, orarioFine: to } = rules;
    const inside = from <= to ? time >= from && time < to : time >= from || time < to;
    if (!inside) {
      return `L'ente consente l'accesso solo dalle ${from} alle ${to} (ora italiana).`;
    }
  }
  return undefined;
}

/** HH:MM in Europe/Rome. */
export function romeTime(now: Date): string {
  return new Intl.DateTimeFormat("it-IT", {
    timeZone: "Europe/Rome",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(now);
}

/** YYYY-MM-DD in Europe/Rome: enablements are valid by Italian calendar day. */
export function romeDay(now: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(now);
}

/** Whether `ip` (IPv4 or IPv6) is inside the CIDR range `cidr`. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const a = ipBytes(ip.replace(/^::ffff:(?=\d+\.)/, ""));
  const b = ipBytes(base);
  if (!a || !b || a.length !== b.length) return false;
  const bits = bitsText === undefined ? a.length * 8 : Number(bitsText);
  for (let i = 0; i < a.length && bits - i * 8 > 0; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}

function ipBytes(ip: string): number[] | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split(".").map(Number);
    return parts.every((p) => p <= 255) ? parts : undefined;
  }
  if (!/^[0-9a-f:]+$/i.test(ip) || ip.split("::").length > 2) return undefined;
  const [head, tail] = ip.includes("::") ? ip.split("::") : [ip, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const missing = 8 - h.length - t.length;
  if (tail !== undefined && missing < 1) return undefined;
  const groups = tail === undefined ? h : [...h, ...Array(missing).fill("0"), ...t];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

/**
 * Whether `s` is an IPv4 or IPv6 network in CIDR notation, with no host bits
 * set (as PostgreSQL's `cidr` requires); a bare address counts as one host.
 */
export function isCidr(s: string): boolean {
  const [base, bitsText, ...rest] = s.split("/");
  const bytes = ipBytes(base);
  if (!bytes || rest.length) return false;
  if (bitsText === undefined) return true;
  if (!/^\d{1,3}$/.test(bitsText) || Number(bitsText) > bytes.length * 8) return false;
  const bits = Number(bitsText);
  return bytes.every((byte, i) => {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    return (byte & (0xff >> keep)) === 0;
  });
}
