/**
 * The worker that inspects an XML flow during its upload (see
 * `xml_inspection.ts`): chunks arrive in order, each acknowledged once read.
 * @module
 */
/// <reference lib="deno.worker" />
import { type FromInspector, type ToInspector, XmlInspection } from "./xml_inspection.ts";

const inspection = new XmlInspection();
const post = (message: FromInspector) => self.postMessage(message);

self.onmessage = (event: MessageEvent<ToInspector>) => {
  const message = event.data;
  try {
    if (message.type === "chunk") {
      inspection.write(message.bytes);
      post({ type: "read", bytes: message.bytes.length });
    } else post({ type: "findings", findings: inspection.finish(message.senderEnte) });
  } catch (error) {
    post({ type: "error", message: error instanceof Error ? error.message : String(error) });
  }
};
