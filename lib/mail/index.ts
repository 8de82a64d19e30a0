/**
 * E-mail over SMTP (nodemailer, `SMTP_URL`, `MAIL_FROM`), shared by every reminder the portal sends
 * (access reviews, credential rotation). An e-mail is claimed in the database before it is sent (a
 * unique row), so two workers never send it twice; an SMTP refusal is recorded on that row.
 */
import nodemailer from "nodemailer";

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
}

const transports = new Map<string, nodemailer.Transporter>();
function transport(url: string): nodemailer.Transporter {
  let t = transports.get(url);
  if (!t) {
    t = nodemailer.createTransport(url);
    transports.set(url, t);
  }
  return t;
}

/**
 * Sends `mail` once: `claim` inserts the e-mail's unique row and says whether this caller got it (false:
 * already sent, nothing happens); a refusal is handed to `recordError` and counted, never thrown.
 */
export async function sendClaimedMail(smtpUrl: string, mail: OutgoingMail, claim: () => Promise<boolean>, recordError: (message: string) => Promise<unknown>): Promise<{ email: number; emailError: number }> {
  if (!(await claim())) return { email: 0, emailError: 0 };
  try {
    await transport(smtpUrl).sendMail(mail);
    return { email: 1, emailError: 0 };
  } catch (error) {
    await recordError(error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500));
    return { email: 0, emailError: 1 };
  }
}
