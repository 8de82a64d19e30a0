/**
 * A local SMTP receiver for reminder tests (loopback only): every message lands in `inbox`, readable as a
 * person reads it.
 */
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface Mail {
  to: string[];
  data: string;
}

/** The message as a person reads it: folded headers joined, RFC 2047 words and quoted-printable decoded. */
export function readable(raw: string): string {
  const qp = (s: string) => Buffer.from(s.replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8");
  return raw
    .replace(/\?=\r?\n\s+=\?/g, "?==?")
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_m, w: string) => qp(w.replace(/_/g, " ")))
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (m) => qp(m));
}

export interface SmtpReceiver {
  url: string;
  inbox: Mail[];
  close(): Promise<void>;
}

export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const inbox: Mail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (c: Buffer) => (data += c.toString("utf8")));
      stream.on("end", () => {
        inbox.push({ to: session.envelope.rcptTo.map((r) => r.address), data: readable(data) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    inbox,
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
