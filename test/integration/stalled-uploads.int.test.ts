import { describe, expect, it } from "vitest";
import net from "node:net";
import { useCollectorDatabase } from "../helpers/collector";
import { protobufRequest, sdkSpans } from "../helpers/otlp-payloads";

// The red team's stall: uploads that declare a large body, send most of it and stop. Their bytes were held until
// Node's 300 s request timeout, and every other sender got 503 meanwhile.
const ctx = useCollectorDatabase({
  MAX_BODY_BYTES: String(512 * 1024),
  MAX_INFLIGHT_BYTES: String(1024 * 1024),
  BODY_IDLE_TIMEOUT_MS: "600",
  BODY_READ_TIMEOUT_MS: "3000",
});
const port = () => ctx.collector.ports.otlpHttp;

/** A raw upload: headers declaring `declared` bytes, then `send` bytes; resolves with what the server answered. */
function stalledUpload(declared: number, send: number, dripMs = 0): { answer: Promise<string>; socket: net.Socket } {
  const socket = net.connect(port(), "127.0.0.1");
  const answer = new Promise<string>((resolve) => {
    let text = "";
    socket.on("data", (d) => (text += d.toString("latin1")));
    socket.on("close", () => resolve(text));
    socket.on("error", () => resolve(text));
  });
  socket.write(
    `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: ${declared}\r\n\r\n`,
  );
  if (dripMs === 0) socket.write(Buffer.alloc(send, 0x0a));
  else {
    const timer = setInterval(
      () => (socket.destroyed ? clearInterval(timer) : socket.write(Buffer.from([0x0a]))),
      dripMs,
    );
  }
  return { answer, socket };
}

const inflight = async () => {
  const text = await (await fetch(`http://127.0.0.1:${port()}/metrics`)).text();
  return Number(/^tracemap_inflight_request_bytes (\d+)$/m.exec(text)?.[1]);
};

const postValid = () =>
  fetch(`http://127.0.0.1:${port()}/v1/traces`, {
    method: "POST",
    body: new Uint8Array(protobufRequest(sdkSpans("after-stall", 1))),
    headers: { "content-type": "application/x-protobuf" },
  });

describe("stalled uploads", () => {
  it("get 408 after the idle timeout, and their bytes are released for other senders", async () => {
    const uploads = [0, 1, 2].map(() => stalledUpload(500_000, 340_000));
    // While they hold ~1 MB, the budget is spent: others are turned away with 503 (the behaviour being bounded).
    await expect.poll(inflight, { timeout: 2_000 }).toBeGreaterThan(900_000);
    const answers = await Promise.all(uploads.map((u) => u.answer));
    for (const a of answers) {
      expect(a).toMatch(/^HTTP\/1\.1 408 /);
      expect(a).toContain("request body stalled: no bytes for 600 ms");
    }
    await expect.poll(inflight).toBe(0);
    expect((await postValid()).status).toBe(200);
  });

  it("a body dripped byte by byte gets 408 at the read deadline", async () => {
    const started = Date.now();
    const upload = stalledUpload(100_000, 0, 200);
    const answer = await upload.answer;
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain("request body not received within 3000 ms");
    expect(Date.now() - started).toBeLessThan(10_000);
    await expect.poll(inflight).toBe(0);
  });
});
