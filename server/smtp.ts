/** The one way the server opens its mail server (SAMTYKKE_SMTP_URL), for the checkpoint witness and the email reports. */
import { createTransport, type Transporter } from 'nodemailer';
import type { SmtpConfig } from './config.ts';

export type MailTransport = Transporter;

export function createMailTransport(smtp: SmtpConfig): MailTransport {
  // Short timeouts: an SMTP server that does not answer must not hold the server's shutdown for minutes.
  return createTransport({ url: smtp.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
}

/** Where the mail goes through, for messages: the URL holds the password. */
export function mailServerName(smtp: SmtpConfig): string {
  return new URL(smtp.url).host;
}
