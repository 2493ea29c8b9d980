import type { ApiRequestLog } from '../../application/ports/api-request-log.js';
import type {
  ConnectionProbes,
  ConnectionTestResult,
  VkCredentials,
  VkGroup,
  VkTokenKind,
} from '../../application/connections/ports.js';
import {
  EvotorAuthError,
  EvotorError,
  EvotorPaymentRequiredError,
  EvotorRateLimitedError,
  EvotorUnavailableError,
} from '../evotor/errors.js';
import { EvotorClient } from '../evotor/evotor-client.js';
import { VkApiError, VkTransportError } from '../vk/errors.js';
import { VkClient } from '../vk/vk-client.js';

export interface ApiSettings {
  EVOTOR_API_URL: string;
  VK_API_URL: string;
  VK_API_VERSION: string;
}

/** A live `GET /stores` with the token; a check answers within seconds, so few retries. */
export async function checkEvotor(
  api: ApiSettings,
  token: string,
  userId: string,
  log?: ApiRequestLog,
): Promise<ConnectionTestResult> {
  const client = new EvotorClient({
    baseUrl: api.EVOTOR_API_URL,
    token,
    userId,
    ...(log ? { log } : {}),
    timeoutMs: 15_000,
    maxRetries: 1,
    backoffBaseMs: 300,
    maxRateLimitRetries: 0,
  });
  try {
    const stores = await client.allStores();
    return {
      ok: true,
      message: `Подключение к Эвотор работает, магазинов: ${stores.length}.`,
      details: { stores: stores.length },
      conclusive: true,
    };
  } catch (error) {
    return evotorFailure(error);
  }
}

function evotorFailure(error: unknown): ConnectionTestResult {
  const fail = (
    message: string,
    errorCode: string,
    conclusive: boolean,
    status?: number | null,
  ) => ({
    ok: false,
    message,
    errorCode,
    details: status ? { status } : {},
    conclusive,
  });
  if (error instanceof EvotorAuthError)
    return fail(
      'Эвотор не принял токен: он неверный или отозван. Получите новый токен в личном кабинете Эвотор.',
      'unauthorized',
      true,
      error.status,
    );
  if (error instanceof EvotorPaymentRequiredError)
    return fail(
      'Приложение EvoSync не оплачено или не установлено в Эвотор.',
      'payment_required',
      true,
      402,
    );
  if (error instanceof EvotorRateLimitedError)
    return fail(
      'Эвотор просит подождать: слишком много запросов. Повторите позже.',
      'rate_limited',
      false,
      429,
    );
  if (error instanceof EvotorUnavailableError)
    return fail('Эвотор сейчас не отвечает. Повторите позже.', 'unavailable', false, error.status);
  if (error instanceof EvotorError)
    return fail(
      `Эвотор ответил ошибкой (HTTP ${error.status ?? '—'}).`,
      'protocol',
      false,
      error.status,
    );
  throw error;
}

/** A live `groups.getById` and `market.getAlbums` with the saved token and community. */
export async function checkVk(
  api: ApiSettings,
  vk: VkCredentials,
  userId: string,
  log?: ApiRequestLog,
): Promise<ConnectionTestResult> {
  const client = vkClient(api, vk, userId, log);
  try {
    const group = await fetchGroup(client, vk.groupId);
    const albums = await client.call<{ count: number }>('market.getAlbums', {
      owner_id: -vk.groupId,
      count: 1,
    });
    return {
      ok: true,
      message: `Подключение к VK работает: сообщество «${group.name}», подборок товаров: ${albums.count}.`,
      details: { groupId: vk.groupId, groupName: group.name, albums: albums.count },
      conclusive: true,
    };
  } catch (error) {
    return vkFailure(error);
  }
}

export function vkClient(
  api: ApiSettings,
  vk: { token: string; tokenKind: VkTokenKind },
  userId: string,
  log?: ApiRequestLog,
): VkClient {
  return new VkClient({
    apiUrl: api.VK_API_URL,
    version: api.VK_API_VERSION,
    token: vk.token,
    tokenKind: vk.tokenKind,
    userId,
    ...(log ? { log } : {}),
    timeoutMs: 15_000,
    retry: { retries: 1, baseDelayMs: 300 },
  });
}

export async function fetchGroup(client: VkClient, groupId: number): Promise<VkGroup> {
  const answer = await client.call<{ groups?: VkGroup[] } | VkGroup[]>('groups.getById', {
    group_id: groupId,
  });
  // 5.199 answers {groups: [...]}; older versions a bare array.
  const groups = Array.isArray(answer) ? answer : (answer.groups ?? []);
  const group = groups[0];
  if (!group) throw new VkApiError(100, 'group not found', 'groups.getById');
  return group;
}

export function vkFailure(error: unknown): ConnectionTestResult {
  const fail = (message: string, errorCode: string, conclusive: boolean) => ({
    ok: false,
    message,
    errorCode,
    details: {},
    conclusive,
  });
  if (error instanceof VkApiError) {
    const code = String(error.code);
    switch (error.kind) {
      case 'auth':
        return fail(
          'VK не принял токен: он неверный, истёк или отозван. Подключите VK заново.',
          code,
          true,
        );
      case 'access':
        return error.code === 1438
          ? fail('В сообществе не включены товары (VK Маркет).', code, true)
          : fail(
              'Нет доступа к товарам сообщества: нужен токен администратора с правом market.',
              code,
              true,
            );
      case 'invalid_param':
      case 'not_found':
        return fail('Сообщество не найдено: проверьте его номер.', code, true);
      case 'captcha':
        return fail('VK требует ввести капчу. Повторите проверку позже.', code, false);
      case 'transient':
        return fail('VK просит подождать: слишком много запросов. Повторите позже.', code, false);
      case 'market':
      case 'other':
        return fail(`VK ответил ошибкой ${code}.`, code, false);
      default: {
        const _never: never = error.kind;
        return _never;
      }
    }
  }
  if (error instanceof VkTransportError)
    return fail('VK сейчас не отвечает. Повторите позже.', 'unavailable', false);
  throw error;
}

/** The live checks of the connections page and the health job, with these API addresses. */
export function connectionProbes(api: ApiSettings, log?: ApiRequestLog): ConnectionProbes {
  return {
    checkEvotor: (token, userId) => checkEvotor(api, token, userId, log),
    checkVk: (vk, userId) => checkVk(api, vk, userId, log),
  };
}
