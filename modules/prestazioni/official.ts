/**
 * INPS's official artefacts shipped with the product (`data/ufficiali/`,
 * byte for byte): the XSDs, the WaaS OpenAPI and the example flows it holds.
 *
 * @example
 * ```ts
 * const [xml] = await officialExampleFlows("SINBA");
 * ```
 * @module
 */

/** The folder of the official files. */
export const OFFICIAL_DIR = new URL("./data/ufficiali/", import.meta.url);

/**
 * The example flows of type `tipo` in `api-comuni.yaml` (base64 `flusso`
 * fields of `elenco_flussi`), decoded to XML text.
 */
export async function officialExampleFlows(tipo: "PS_PSA_SINA" | "SINBA"): Promise<string[]> {
  const yaml = await Deno.readTextFile(new URL("api-comuni.yaml", OFFICIAL_DIR));
  const pattern = new RegExp(
    `tipo: ${tipo}\\s+flusso: >-\\s+([A-Za-z0-9+/=\\s]+?)\\n\\s*(?:-|\\w+:)`,
    "g",
  );
  return [...yaml.matchAll(pattern)].map((m) =>
    new TextDecoder().decode(
      Uint8Array.from(atob(m[1].replace(/\s+/g, "")), (c) => c.charCodeAt(0)),
    )
  );
}
