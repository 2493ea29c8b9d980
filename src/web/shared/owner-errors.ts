/**
 * What a failure means to a shop owner: VK's and Evotor's error codes turned into a Russian
 * sentence saying what happened, to which product, and what to do. The service's own words
 * stay in `raw` for the admin pages. Codes are VK's (errors.json of the official API schema)
 * and Evotor's HTTP statuses.
 */

export type TokenKind = 'user' | 'community';

export type Failure =
  | {
      service: 'vk';
      code: number;
      message: string;
      method?: string | null;
      /** how the VK connection signs its calls: the message names the right key */
      tokenKind?: TokenKind | string | null;
    }
  | { service: 'evotor'; status: number | null; message: string; storeName?: string | null };

export interface ProductRef {
  name: string;
  storeId: string;
  productId: string;
}

export interface OwnerError {
  /** what happened */
  reason: string;
  /** what the owner does about it */
  action: string;
  /** the page where the owner does it, when there is one */
  link: { href: string; label: string } | null;
  /** the product concerned, with its history page */
  product: { name: string; href: string } | null;
  /** false when EvoSync retries by itself and nothing is asked of the owner */
  ownerMustAct: boolean;
  /** the service's own text (admins see it; owners do not) */
  raw: string;
}

export const productHistoryHref = (storeId: string, productId: string): string =>
  `/catalog/stores/${encodeURIComponent(storeId)}/products/${encodeURIComponent(productId)}/history`;

const RECONNECT = { href: '/connections', label: 'Подключения' };
const SYNC_PAGE = { href: '/sync', label: 'Синхронизация' };
const WAIT = 'Ничего делать не нужно: EvoSync повторит попытку сам.';
const SUPPORT = 'Если ошибка повторяется, напишите в поддержку EvoSync.';

/** The key the VK connection uses, as the owner knows it. */
export function vkKeyName(tokenKind: string | null | undefined): string {
  if (tokenKind === 'community') return 'ключ доступа сообщества';
  if (tokenKind === 'user') return 'ключ доступа вашей страницы VK (вход через VK ID)';
  return 'ключ доступа VK';
}

/** Field names of market.add / market.edit as the owner knows them. */
const VK_FIELDS: Record<string, string> = {
  name: 'название',
  description: 'описание',
  price: 'цена',
  old_price: 'старая цена',
  main_photo_id: 'фото',
  photo_ids: 'фото',
  category_id: 'категория',
  sku: 'артикул',
  album_ids: 'подборка',
  title: 'название подборки',
};

type Advice = Pick<OwnerError, 'reason' | 'action' | 'link' | 'ownerMustAct'>;

const advice = (
  reason: string,
  action: string,
  link: OwnerError['link'] = null,
  ownerMustAct = true,
): Advice => ({ reason, action, link, ownerMustAct });

function vkAdvice(code: number, message: string, tokenKind: string | null | undefined): Advice {
  const key = vkKeyName(tokenKind);
  switch (code) {
    case 5:
    case 28:
      return advice(
        `VK отклонил ${key}: он отозван или истёк, или приложение отключено в настройках.`,
        'Подключите VK заново на странице «Подключения».',
        RECONNECT,
      );
    case 27:
      return advice(
        `VK не выполняет этот запрос с ключом сообщества.`,
        'Подключите VK заново через VK ID от имени администратора сообщества.',
        RECONNECT,
      );
    case 17:
    case 24:
    case 25:
      return advice(
        'VK требует подтвердить вход на странице, через которую подключено сообщество.',
        'Войдите в VK, подтвердите вход и подключите VK заново.',
        RECONNECT,
      );
    case 18:
      return advice(
        'Страница VK, через которую подключено сообщество, удалена или заблокирована.',
        'Подключите VK заново от имени другого администратора сообщества.',
        RECONNECT,
      );
    case 6:
    case 9:
    case 29:
      return advice('VK временно ограничил частоту запросов.', WAIT, null, false);
    case 1:
    case 10:
      return advice('У VK временный сбой.', WAIT, null, false);
    case 14:
      return advice(
        'VK запросил капчу: так он ограничивает слишком частые действия. Выгрузка приостановлена.',
        'Подождите 10–15 минут и нажмите «Продолжить» на странице «Синхронизация».',
        SYNC_PAGE,
      );
    case 7:
    case 15:
    case 200:
    case 203:
    case 205:
      return advice(
        `У ${key.replace('ключ', 'ключа')} нет прав на товары сообщества.`,
        'Подключите VK заново от имени администратора сообщества и разрешите доступ к товарам и фотографиям.',
        RECONNECT,
      );
    case 1409:
    case 1438:
    case 1525:
    case 1526:
      return advice(
        'В сообществе VK выключены товары.',
        'Включите раздел «Товары» в настройках сообщества VK (Управление → Разделы); выгрузка продолжится сама.',
      );
    case 100:
    case 113: {
      const field = /:\s*([a-z_]+)\b/i.exec(message)?.[1];
      const label = field ? VK_FIELDS[field] : undefined;
      return advice(
        `VK не принял данные товара${label ? `: поле «${label}»` : ''}.`,
        'Проверьте название (от 4 до 100 символов), описание, цену и фото товара в Эвоторе; после исправления товар выгрузится сам.',
      );
    }
    case 1421:
      return advice(
        'Название товара длиннее, чем принимает VK (100 символов).',
        'Сократите название в Эвоторе; товар выгрузится при следующей синхронизации.',
      );
    case 1408:
      return advice(
        'В описании товара есть ссылки, которые VK не принимает.',
        'Уберите ссылки из описания товара в Эвоторе.',
      );
    case 22:
    case 1433:
    case 1434:
    case 1435:
      return advice(
        'VK не принял фото товара.',
        'Загрузите в Эвотор фото не меньше 400×400 точек в формате JPG или PNG.',
      );
    case 1405:
      return advice(
        'В сообществе больше товаров, чем принимает VK.',
        'Удалите ненужные товары в VK или исключите часть каталога из синхронизации на странице «Каталог».',
        { href: '/catalog', label: 'Каталог' },
      );
    case 1406:
    case 1407:
      return advice(
        code === 1406
          ? 'В подборке VK больше товаров, чем разрешено.'
          : 'В сообществе больше подборок, чем разрешает VK.',
        'Исключите часть групп из синхронизации на странице «Каталог» или удалите ненужные подборки в VK.',
        { href: '/catalog', label: 'Каталог' },
      );
    case 1400:
    case 1402:
    case 1403:
      return advice(
        'Товар или подборка удалены в VK вручную.',
        'Ничего делать не нужно: EvoSync создаст их заново при следующей выгрузке.',
        null,
        false,
      );
    default:
      return advice(
        code >= 1400 && code < 1600
          ? `VK отклонил изменение товара (ошибка ${code}).`
          : `VK вернул ошибку ${code}.`,
        SUPPORT,
      );
  }
}

function evotorAdvice(status: number | null, storeName: string | null | undefined): Advice {
  const store = storeName ? ` «${storeName}»` : '';
  if (status === 401 || status === 403)
    return advice(
      'Эвотор отклонил токен: приложение удалено из магазина или токен отозван.',
      'Введите новый токен Эвотор на странице «Подключения».',
      RECONNECT,
    );
  if (status === 402)
    return advice(
      `Приложение EvoSync не оплачено в Эвоторе для магазина${store}: его товары не загружаются.`,
      'Оплатите приложение в личном кабинете Эвотор; товары загрузятся при следующем обновлении.',
    );
  if (status === 404)
    return advice(
      `Эвотор не нашёл магазин${store} или товар: возможно, он удалён.`,
      'Если магазин удалён не намеренно, проверьте его в личном кабинете Эвотор.',
    );
  if (status === 429)
    return advice('Эвотор временно ограничил частоту запросов.', WAIT, null, false);
  if (status === null || status >= 500)
    return advice('Эвотор временно недоступен.', WAIT, null, false);
  return advice(`Эвотор вернул ошибку ${status}.`, SUPPORT);
}

/** The owner's message for a failure, about the product when there is one. */
export function ownerError(failure: Failure, product?: ProductRef | null): OwnerError {
  const found =
    failure.service === 'vk'
      ? vkAdvice(failure.code, failure.message, failure.tokenKind)
      : evotorAdvice(failure.status, failure.storeName);
  const raw =
    failure.service === 'vk'
      ? `${failure.method ? `${failure.method}, ` : ''}код ${failure.code}: ${failure.message}`
      : `HTTP ${failure.status ?? '—'}: ${failure.message}`;
  return {
    ...found,
    product: product
      ? { name: product.name, href: productHistoryHref(product.storeId, product.productId) }
      : null,
    raw,
  };
}

/** The whole message in one line, for a flash or a list: «Товар»: what happened. What to do. */
export function ownerErrorText(error: OwnerError): string {
  const subject = error.product ? `«${error.product.name}»: ` : '';
  return `${subject}${error.reason} ${error.action}`;
}

/**
 * A product's failure as the mirror read model keeps it (`vk_mirror_items.last_error`,
 * "market.edit 5: User authorization failed"); null when the text is not in that shape.
 */
export function parseMirrorError(
  text: string | null | undefined,
): { method: string; code: number; message: string } | null {
  const match = text ? /^(\S+) (-?\d+): ([\s\S]*)$/.exec(text) : null;
  return match ? { method: match[1]!, code: Number(match[2]), message: match[3]! } : null;
}

/**
 * The owner's message for a product's failure as the mirror read model keeps it; a text not
 * in the mirror's shape still gets a Russian sentence (its raw words stay in `raw`).
 */
export function vkItemError(
  lastError: string | null | undefined,
  tokenKind: string | null,
  product?: ProductRef | null,
): OwnerError | null {
  if (!lastError) return null;
  const failure = parseMirrorError(lastError) ?? { code: 0, message: lastError };
  return ownerError({ service: 'vk', ...failure, tokenKind }, product);
}

/**
 * A refused connection as the connection read models record it (a health reason such as
 * "Эвотор отклонил токен (HTTP 401)" or "VK отклонил токен (ошибка 5)"): always a refused
 * token, since only a refusal marks a connection unhealthy.
 */
export function connectionError(
  service: 'vk' | 'evotor',
  reason: string | null | undefined,
  tokenKind?: string | null,
): OwnerError {
  const message = reason ?? '';
  if (service === 'evotor') {
    const status = Number(/HTTP (\d{3})/.exec(message)?.[1] ?? 401);
    return ownerError({ service, status, message });
  }
  const code = Number(/(?:ошибка|код|\()\s*(\d+)\)?/i.exec(message)?.[1] ?? 5);
  return ownerError({ service, code, message, tokenKind });
}
