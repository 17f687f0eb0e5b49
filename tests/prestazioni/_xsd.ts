import { validateXML } from "xmllint-wasm";

/**
 * The XSD's verdict on each document. xmllint-wasm lists no error at all when
 * every file of a call validates, yet reports namespace errors (which do not
 * stop "validates") when another file fails: reading its output per file keeps
 * a document's verdict independent of the rest of the batch. A namespace or
 * parser error makes the document invalid, as it is not namespace-well-formed.
 * Batches stay small because one call with thousands of files overruns its memory.
 */
export async function xsdVerdicts(name: string, xsd: string, xmls: string[]): Promise<boolean[]> {
  const verdicts: boolean[] = [];
  for (let start = 0; start < xmls.length; start += 500) {
    const batch = xmls.slice(start, start + 500);
    const { rawOutput } = await validateXML({
      xml: batch.map((contents, i) => ({ fileName: `f${i}.xml`, contents })),
      schema: [{ fileName: name, contents: xsd }],
    });
    const validates = new Set<string>();
    const errors = new Set<string>();
    for (const line of rawOutput.split("\n")) {
      const status = /^(f\d+\.xml) validates$/.exec(line);
      if (status) validates.add(status[1]);
      const error = /^(f\d+\.xml):\d+: .*error :/.exec(line);
      if (error) errors.add(error[1]);
    }
    verdicts.push(...batch.map((_, i) => validates.has(`f${i}.xml`) && !errors.has(`f${i}.xml`)));
  }
  return verdicts;
}
