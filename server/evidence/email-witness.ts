/**
 * The email witness: one mail per interval holding every checkpoint signed since the last, attached as lines of
 * the checkpoint log, so a copy lies in a mailbox that whoever runs the database can neither reach nor take back.
 * One mail per checkpoint would be one a minute per busy site; an auditor wants a file per hour, not a flood.
 */
import { createHash, type KeyObject } from 'node:crypto';
import type { EmailWitnessConfig } from '../config.ts';
import type { SignedCheckpoint } from '../domain/checkpoint.ts';
import { createMailTransport, mailServerName, type MailTransport } from '../smtp.ts';
import { checkpointLogLines } from './checkpoint-log.ts';
import type { CheckpointWitness } from './witness.ts';

/** Checkpoints not mailed yet are kept up to this many; past it the oldest go (the log keeps them all). */
const MAX_UNMAILED = 100_000;
/** At about 200 bytes a line, 10,000 checkpoints make a 2 MB attachment, which mail servers take; more go in the next mail. */
const MAX_PER_MAIL = 10_000;

/** SHA-256 of the public key's DER (SPKI), as `openssl pkey -pubin -in checkpoint-key.pub.pem -outform DER | sha256sum` prints it. */
export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export class EmailWitness implements CheckpointWitness {
  private unmailed: SignedCheckpoint[] = [];
  private sending: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly transport: MailTransport;
  /** Where the mail goes through, for messages: the URL holds the password. */
  private readonly server: string;
  private readonly publicKeyPem: string;
  private readonly fingerprint: string;

  constructor(
    private readonly settings: EmailWitnessConfig,
    publicKey: KeyObject,
  ) {
    this.transport = createMailTransport(settings.smtp);
    this.server = mailServerName(settings.smtp);
    this.publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    this.fingerprint = publicKeyFingerprint(publicKey);
    this.timer = setInterval(() => void this.mail(), settings.intervalMs);
    this.timer.unref();
  }

  async take(checkpoints: readonly SignedCheckpoint[]): Promise<void> {
    this.unmailed.push(...checkpoints);
    const over = this.unmailed.length - MAX_UNMAILED;
    if (over > 0) {
      this.unmailed.splice(0, over);
      console.error(`The checkpoint witness mail dropped the ${over} oldest checkpoints it could not send yet (the checkpoint log keeps them)`);
    }
  }

  /** Mails what is waiting, in mails of at most MAX_PER_MAIL; one at a time, so no checkpoint goes out twice. */
  private mail(): Promise<void> {
    this.sending = this.sending.then(async () => {
      while (this.unmailed.length > 0) {
        const batch = this.unmailed.slice(0, MAX_PER_MAIL);
        try {
          await this.transport.sendMail(this.message(batch));
        } catch (error) {
          console.error(
            `The checkpoint witness mail to ${this.settings.to} via ${this.server} failed (${this.unmailed.length} checkpoints kept for the next try): ${(error as Error).message}`,
          );
          return;
        }
        // Checkpoints taken while it was sending stay; the oldest may have been dropped meanwhile, so not by index.
        const sent = new Set(batch);
        this.unmailed = this.unmailed.filter((checkpoint) => !sent.has(checkpoint));
      }
    });
    return this.sending;
  }

  private message(batch: readonly SignedCheckpoint[]) {
    const first = batch[0]!.at;
    const last = batch.at(-1)!.at;
    const bySite = new Map<number, SignedCheckpoint[]>();
    for (const checkpoint of batch) bySite.set(checkpoint.siteId, [...(bySite.get(checkpoint.siteId) ?? []), checkpoint]);
    const sites = [...bySite].sort(([a], [b]) => a - b);
    const file = `checkpoints-${first.replace(/[:.]/g, '-')}.ndjson`;
    const text = [
      'These are signed checkpoints of the Samtykke consent evidence, mailed so that a copy lives where whoever runs',
      'the database cannot change or remove it. Keep this mail.',
      '',
      'Each checkpoint says "at this time, this site\'s chain of consent records ended with record #seq, whose hash is',
      `H", signed with the server's Ed25519 key. The attached ${file} holds ${batch.length} of them, signed`,
      `from ${first} to ${last}, one per line in the format of the server's checkpoint log:`,
      '',
      ...sites.map(([siteId, checkpoints]) => {
        const seqs = checkpoints.map((checkpoint) => checkpoint.seq);
        const range = seqs.length === 1 ? `record #${seqs[0]}` : `records #${Math.min(...seqs)} to #${Math.max(...seqs)}`;
        return `  site ${siteId}: ${checkpoints.length} checkpoint${checkpoints.length === 1 ? '' : 's'}, ${range}`;
      }),
      '',
      `The public key that verifies them is attached too; its SHA-256 fingerprint is`,
      `  ${this.fingerprint}`,
      'Compare it with the key you were given (openssl pkey -pubin -in checkpoint-key.pub.pem -outform DER | sha256sum):',
      'a key in a mail proves nothing by itself.',
      '',
      'To check a site\'s exported records against these checkpoints, with no database and no server:',
      `  npm run samtykke -- verify --export records.ndjson --checkpoints ${file} --public-key checkpoint-key.pub.pem`,
      'Several of these files can be joined into one with cat.',
    ].join('\n');
    return {
      from: this.settings.smtp.from,
      to: this.settings.to,
      subject: `Samtykke checkpoints: ${batch.length} signed for ${sites.length} site${sites.length === 1 ? '' : 's'}, up to ${last}`,
      text,
      attachments: [
        { filename: file, content: checkpointLogLines(batch), contentType: 'application/x-ndjson' },
        { filename: 'checkpoint-key.pub.pem', content: this.publicKeyPem, contentType: 'application/x-pem-file' },
      ],
    };
  }

  /** Mails what is still waiting (one try), then lets go of the connection. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.mail();
    this.transport.close();
  }
}
