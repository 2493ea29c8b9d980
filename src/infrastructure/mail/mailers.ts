import nodemailer from 'nodemailer';
import type { MailMessage, Mailer, SmsSender } from '../../application/ports/mail.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../logging/logger.js';

/**
 * Development mail: writes the message to the log and keeps the last ones in memory, so tests
 * (and a person running the demo) can open the link the user would have received.
 */
export class ConsoleMailer implements Mailer {
  readonly outbox: Array<MailMessage & { at: Date }> = [];
  constructor(
    private readonly logger?: Logger,
    private readonly keep = 100,
  ) {}
  async send(message: MailMessage): Promise<void> {
    this.outbox.push({ ...message, at: new Date() });
    if (this.outbox.length > this.keep) this.outbox.splice(0, this.outbox.length - this.keep);
    this.logger?.info({ mail: { subject: message.subject, body: message.text } }, 'mail (console)');
  }
  /** the newest message to this address */
  lastTo(address: string): (MailMessage & { at: Date }) | undefined {
    return [...this.outbox].reverse().find((m) => m.to.toLowerCase() === address.toLowerCase());
  }
}

export class SmtpMailer implements Mailer {
  private readonly transport;
  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }
  async send(message: MailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
  }
}

export class ConsoleSms implements SmsSender {
  readonly sent: Array<{ phone: string; text: string }> = [];
  constructor(private readonly logger?: Logger) {}
  async send(phone: string, text: string): Promise<void> {
    this.sent.push({ phone, text });
    this.logger?.info({ sms: { text } }, 'sms (console)');
  }
}

export function createMailer(config: Config, logger: Logger): Mailer {
  switch (config.EMAIL_PROVIDER) {
    case 'console':
      return new ConsoleMailer(logger);
    case 'smtp':
      return new SmtpMailer(config.SMTP_URL!, `EvoSync <no-reply@${config.DOMAIN ?? 'localhost'}>`);
    default: {
      const _never: never = config.EMAIL_PROVIDER;
      return _never;
    }
  }
}
