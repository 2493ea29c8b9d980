import { describe, expect, it } from 'vitest';
import { toVkError, VkCaptchaError } from '../../src/infrastructure/vk/errors.js';

/** Error 14 as VK documents it today (dev.vk.com/ru/api/captcha-error) and as it used to be. */
describe('toVkError for a captcha', () => {
  const page =
    'https://id.vk.com/not_robot_captcha?domain=vk.com&session_token=eyJhbGci.0Pl&variant=popup&blank=1';

  it('reads the captcha page of VK answer today, without sid and picture', () => {
    const error = toVkError(
      { error_code: 14, error_msg: 'Captcha needed', redirect_uri: page },
      'market.add',
    );
    expect(error).toBeInstanceOf(VkCaptchaError);
    expect(error).toMatchObject({
      kind: 'captcha',
      redirectUri: page,
      captchaSid: '',
      captchaImg: '',
    });
  });

  it('reads the old captcha: sid and picture, no page', () => {
    const img = 'https://api.vk.com/captcha.php?sid=239633676097&s=1';
    const error = toVkError(
      {
        error_code: 14,
        error_msg: 'Captcha needed',
        captcha_sid: '239633676097',
        captcha_img: img,
      },
      'market.add',
    );
    expect(error).toMatchObject({ redirectUri: null, captchaSid: '239633676097', captchaImg: img });
  });

  it('keeps only web addresses: anything else is never offered as a link', () => {
    const error = toVkError(
      {
        error_code: 14,
        error_msg: 'Captcha needed',
        redirect_uri: 'javascript:alert(1)',
        captcha_img: 'not a url',
      },
      'market.add',
    );
    expect(error).toMatchObject({ redirectUri: null, captchaImg: '' });
  });
});
