/**
 * The email witness: signed checkpoints are mailed in batches, attached as lines of the checkpoint log, to an SMTP
 * server the test runs on a port of its own; a server that refuses the mail, or is not running, costs nothing:
 * the next mail carries every checkpoint the failed ones did not.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import type { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../server/cli/verify.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { readSignedCheckpoints } from '../../server/evidence/checkpoint-log.ts';
import { publicKeyFingerprint } from '../../server/evidence/email-witness.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest } from '../helpers/requests.ts';
import { smtpUrl, startSmtp, stopSmtp, until } from '../helpers/smtp.ts';

describe.each(engines)('the email witness of signed checkpoints on %s', (engine) => {
  let folder: string;
  let ctx: (TestContext & { url: string }) | null;
  let smtp: SMTPServer;
  let smtpPort: number;
  let mails: ParsedMail[];
  let errors: string[];
  const smtpState = { refusing: false };
  const keyPath = () => path.join(folder, 'checkpoint-key.pem');
  const publicKeyPath = () => path.join(folder, 'checkpoint-key.pub.pem');
  const logFile = () => path.join(folder, 'checkpoints.ndjson');

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'samtykke-witness-email-'));
    mails = [];
    smtpState.refusing = false;
    smtp = await startSmtp(mails, smtpState);
    smtpPort = (smtp.server.address() as AddressInfo).port;
    errors = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
  });
  afterEach(async () => {
    await ctx?.close();
    ctx = null;
    vi.restoreAllMocks();
    await stopSmtp(smtp);
    await rm(folder, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<TestContext & { url: string }> {
    ctx = await startTestServer(engine, {
      SAMTYKKE_CHECKPOINT_KEY: keyPath(),
      SAMTYKKE_CHECKPOINT_LOG: logFile(),
      SAMTYKKE_CHECKPOINT_EVERY: '1',
      SAMTYKKE_CHECKPOINT_WITNESS_EMAIL: 'privacy@example.org, auditor@example.net',
      // The sender is the login, which holds characters a URL must escape.
      SAMTYKKE_SMTP_URL: smtpUrl(smtpPort),
      ...env,
    });
    return ctx;
  }

  async function decide(server: TestContext & { url: string }, count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${server.url}/api/consent`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', origin: server.url },
        body: JSON.stringify(consentRequest()),
      });
      expect(response.status).toBe(201);
    }
  }

  /** The mail's checkpoint file, as the auditor saves it. */
  async function savedAttachment(mail: ParsedMail): Promise<{ file: string; content: string }> {
    const attachment = mail.attachments.find((candidate) => candidate.filename?.endsWith('.ndjson'));
    expect(attachment?.contentType).toBe('application/x-ndjson');
    const file = path.join(folder, attachment!.filename!);
    await writeFile(file, attachment!.content);
    return { file, content: attachment!.content.toString('utf8') };
  }

  it('mails every checkpoint signed since the last mail in one message when the server stops, which verify takes', async () => {
    const server = await start();
    const siteId = server.demo.sites.find((site) => site.key === 'min-side')!.id;
    await decide(server, 6);
    expect(mails).toHaveLength(0);
    await server.deps.checkpointer!.close();

    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.from?.text).toBe('samtykke@example.com');
    expect([mail.to].flat().map((to) => to?.text)).toEqual(['privacy@example.org, auditor@example.net']);
    expect(mail.subject).toMatch(/^Samtykke checkpoints: 6 signed for 1 site, up to \d{4}-/);
    const publicKey = createPublicKey(await readFile(publicKeyPath(), 'utf8'));
    expect(mail.text).toContain(`site ${siteId}: 6 checkpoints, records #1 to #6`);
    expect(mail.text).toContain(publicKeyFingerprint(publicKey));
    expect(mail.attachments.find((attachment) => attachment.filename === 'checkpoint-key.pub.pem')?.content.toString('utf8')).toBe(
      await readFile(publicKeyPath(), 'utf8'),
    );

    // Line for line the checkpoint log, so the copy can stand in for it.
    const { file, content } = await savedAttachment(mail);
    expect(content).toBe(await readFile(logFile(), 'utf8'));
    const checked = await readSignedCheckpoints(file, publicKey);
    expect(checked.forged).toEqual([]);
    expect(checked.bySite.get(siteId)?.map((checkpoint) => checkpoint.seq)).toEqual([1, 2, 3, 4, 5, 6]);

    const output: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
    const code = await verifyCommand.run(server.database.db, { site: 'min-side', checkpoints: file, 'public-key': publicKeyPath() }, { config: server.deps.config, positionals: [] });
    expect({ code, output: output.join('\n') }).toEqual({ code: 0, output: 'OK      site min-side: 6 consent records, chain intact, held against 6 signed checkpoints' });
    expect(errors).toEqual([]);
  });

  it('keeps what a refusing or absent SMTP server did not take, and mails all of it once one takes it', async () => {
    smtpState.refusing = true;
    const server = await start({ SAMTYKKE_SMTP_FROM: 'Samtykke <noreply@example.com>', SAMTYKKE_CHECKPOINT_WITNESS_EMAIL_SECONDS: '1' });
    await decide(server, 3);
    await until(() => errors.length > 0, 'the refused mail');
    expect(errors[0]).toMatch(
      new RegExp(`^The checkpoint witness mail to privacy@example.org, auditor@example.net via 127.0.0.1:${smtpPort} failed \\(3 checkpoints kept for the next try\\): .*550`),
    );
    expect(errors[0]).not.toContain('p@ss');

    // Now nothing answers on the port at all.
    await stopSmtp(smtp);
    await decide(server, 3);
    const refused = errors.length;
    await until(() => errors.length > refused, 'the mail nobody answered');
    expect(errors.at(-1)).toMatch(/failed \(6 checkpoints kept for the next try\): .*ECONNREFUSED/);

    smtpState.refusing = false;
    smtp = await startSmtp(mails, smtpState, smtpPort);
    await until(() => mails.length > 0, 'the mail taken at last');
    const { content } = await savedAttachment(mails[0]!);
    expect(content).toBe(await readFile(logFile(), 'utf8'));
    expect(content.trim().split('\n').map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(mails[0]!.from?.value[0]).toMatchObject({ name: 'Samtykke', address: 'noreply@example.com' });

    // Nothing is left to send: stopping sends no second mail.
    await server.deps.checkpointer!.close();
    expect(mails).toHaveLength(1);
  });
});

describe('the email witness settings', () => {
  const load = (env: Record<string, string>) => loadConfig({ SAMTYKKE_DATA_DIR: '/tmp/samtykke-witness-settings', ...env }).checkpoints?.witnessEmail;
  const email = { SAMTYKKE_CHECKPOINT_WITNESS_EMAIL: 'privacy@example.org' };

  it('mails hourly from the SMTP login when it is an address, and only when a recipient is set', () => {
    expect(load({ SAMTYKKE_SMTP_URL: 'smtps://mailer%40example.com:secret@smtp.example.com:465' })).toBeNull();
    expect(load({ ...email, SAMTYKKE_SMTP_URL: 'smtps://mailer%40example.com:secret@smtp.example.com:465' })).toEqual({
      to: 'privacy@example.org',
      smtp: { url: 'smtps://mailer%40example.com:secret@smtp.example.com:465', from: 'mailer@example.com' },
      intervalMs: 3_600_000,
    });
  });

  it('reads the mail server for the email reports too, with or without the witness', () => {
    const smtp = (env: Record<string, string>) => loadConfig({ SAMTYKKE_DATA_DIR: ':memory:', ...env }).smtp;
    expect(smtp({})).toBeNull();
    expect(smtp({ SAMTYKKE_SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587', SAMTYKKE_SMTP_FROM: 'Samtykke <a@b.no>' })).toEqual({
      url: 'smtp://mailer:secret@smtp.example.com:587',
      from: 'Samtykke <a@b.no>',
    });
    expect(() => smtp({ SAMTYKKE_SMTP_URL: 'smtp://mailer:secret@smtp.example.com:587' })).toThrow(/SAMTYKKE_SMTP_FROM must be set/);
  });

  it('says what is wrong, and never repeats the password', () => {
    const smtpUrl = 'smtp://mailer:secret@smtp.example.com:587';
    expect(() => load({ SAMTYKKE_CHECKPOINT_WITNESS_EMAIL: 'privacy.example.org', SAMTYKKE_SMTP_URL: smtpUrl, SAMTYKKE_SMTP_FROM: 'a@b.no' })).toThrow(/SAMTYKKE_CHECKPOINT_WITNESS_EMAIL must be an email address/);
    expect(() => load(email)).toThrow(/SAMTYKKE_SMTP_URL must be set when SAMTYKKE_CHECKPOINT_WITNESS_EMAIL is/);
    expect(() => load({ ...email, SAMTYKKE_SMTP_URL: 'https://mailer:secret@smtp.example.com' })).toThrow(ConfigError);
    expect(() => load({ ...email, SAMTYKKE_SMTP_URL: 'https://mailer:secret@smtp.example.com' })).not.toThrow(/secret/);
    expect(() => load({ ...email, SAMTYKKE_SMTP_URL: smtpUrl })).toThrow(/SAMTYKKE_SMTP_FROM must be set/);
    expect(() => load({ ...email, SAMTYKKE_SMTP_URL: smtpUrl, SAMTYKKE_SMTP_FROM: 'Samtykke' })).toThrow(/SAMTYKKE_SMTP_FROM must be an email address/);
    expect(() => load({ ...email, SAMTYKKE_SMTP_URL: smtpUrl, SAMTYKKE_SMTP_FROM: 'a@b.no', SAMTYKKE_CHECKPOINT_WITNESS_EMAIL_SECONDS: '0' })).toThrow(
      /SAMTYKKE_CHECKPOINT_WITNESS_EMAIL_SECONDS must be a whole number from 1 to 604800/,
    );
  });
});
