/**
 * The worker that inspects XML flows during their upload (see
 * `xml_inspection.ts`), one at a time: chunks arrive in order, each
 * acknowledged once read; the findings end a flow's inspection, and the
 * next chunk begins a new one.
 * @module
 */
/// <reference lib="deno.worker" />
import { type FromInspector, type ToInspector, XmlInspection } from "./xml_inspection.ts";

let inspection = new XmlInspection();
const post = (message: FromInspector) => self.postMessage(message);

self.onmessage = (event: MessageEvent<ToInspector>) => {
  const message = event.data;
  try {
    if (message.type === "chunk") {
      inspection.write(message.bytes);
      post({ type: "read", bytes: message.bytes.length });
    } else {
      const findings = inspection.finish(message.senderEnte);
      inspection = new XmlInspection();
      post({ type: "findings", findings });
    }
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};
