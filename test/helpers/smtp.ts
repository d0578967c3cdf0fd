/** A real SMTP server (smtp-server) on a port of the test's own, parsing each mail it takes with mailparser. */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** The login the server takes; in a URL, its characters are escaped as smtpUrl does. */
export const SMTP_LOGIN = { user: 'samtykke@example.com', password: 'p@ss:word' } as const;

/** SAMTYKKE_SMTP_URL for a server started by startSmtp. */
export function smtpUrl(port: number): string {
  return `smtp://${encodeURIComponent(SMTP_LOGIN.user)}:${encodeURIComponent(SMTP_LOGIN.password)}@127.0.0.1:${port}`;
}

/** Whether the server refuses every recipient, and with which reply code (550 unless given: permanent; 451 is "try later"). */
export interface SmtpState {
  refusing: boolean;
  code?: number;
}

/** Takes mail only with SMTP_LOGIN; refuses every recipient while `state.refusing`. */
export function startSmtp(mails: ParsedMail[], state: SmtpState, port = 0): Promise<SMTPServer> {
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    onAuth: (auth, _session, callback) =>
      auth.username === SMTP_LOGIN.user && auth.password === SMTP_LOGIN.password ? callback(null, { user: auth.username }) : callback(new Error('Invalid login')),
    onRcptTo: (_address, _session, callback) =>
      callback(state.refusing ? Object.assign(new Error('Mailbox unavailable'), { responseCode: state.code ?? 550 }) : null),
    onData: (stream, _session, callback) => {
      simpleParser(stream).then(
        (mail) => {
          mails.push(mail);
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

export const stopSmtp = (server: SMTPServer) => new Promise<void>((resolve) => server.close(() => resolve()));

export async function until(done: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
