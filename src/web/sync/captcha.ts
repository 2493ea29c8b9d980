/**
 * The /sync captcha notice (`_captcha.ejs`): when VK paused the push with error 14, the link
 * the owner opens to solve the captcha — VK's captcha page (`redirect_uri`) as VK sends it
 * today, or the old captcha picture when that is all VK sent — and «Продолжить».
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { mirrorStream } from '../../domain/mirror/events.js';
import { webAddress } from '../../infrastructure/vk/errors.js';

export interface CaptchaNotice {
  pausedAt: Date;
  /** `page`: VK's captcha page; `image`: the deprecated captcha picture; null: VK sent neither */
  link: { href: string; kind: 'page' | 'image' } | null;
}

/** null unless the push is paused; the pause is the newest VkPushPaused of the mirror. */
export async function loadCaptchaNotice(
  sequelize: Sequelize,
  userId: string,
  paused: boolean,
): Promise<CaptchaNotice | null> {
  if (!paused) return null;
  const [row] = await sequelize.query<{ occurred_at: string; data: string }>(
    `SELECT occurred_at, data FROM audit_log WHERE stream_id = ? AND type = 'VkPushPaused'
      ORDER BY position DESC LIMIT 1`,
    { replacements: [mirrorStream(userId)], type: QueryTypes.SELECT },
  );
  if (!row) return null;
  const data = JSON.parse(row.data) as { redirectUri?: unknown; captchaImg?: unknown };
  // Recorded from VK's answer: shown as a link only when it is a web address.
  const page = webAddress(data.redirectUri);
  const image = webAddress(data.captchaImg);
  return {
    pausedAt: new Date(row.occurred_at),
    link: page ? { href: page, kind: 'page' } : image ? { href: image, kind: 'image' } : null,
  };
}
