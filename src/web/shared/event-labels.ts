import type { StoreCatalogEvent, StoresEvent } from '../../domain/catalog/events.js';
import type { EvotorAccountEvent } from '../../domain/connections/evotor-account.js';
import type { EvotorUserEvent } from '../../domain/connections/evotor-user.js';
import type { VkAccountEvent } from '../../domain/connections/vk-account.js';
import type { MirrorEvent } from '../../domain/mirror/events.js';
import type { RoleEvent } from '../../domain/roles/decide.js';
import type { SyncConfigEvent } from '../../domain/sync-config/events.js';
import type { SyncNoticeEvent } from '../../domain/sync-notices/notices.js';
import type { UserEvent } from '../../domain/users/events.js';
import type {
  EmailReservationEvent,
  SystemAccountsEvent,
} from '../../domain/users/reservations.js';
import type { VkMarketEvent } from '../../domain/vk-market/events.js';

/** Every event type the domain appends; a new event fails the build until it has a label. */
export type EventType = (
  | StoresEvent
  | StoreCatalogEvent
  | EvotorAccountEvent
  | EvotorUserEvent
  | VkAccountEvent
  | MirrorEvent
  | RoleEvent
  | SyncConfigEvent
  | SyncNoticeEvent
  | UserEvent
  | EmailReservationEvent
  | SystemAccountsEvent
  | VkMarketEvent
)['type'];

/** The audit log's event types in Russian, shown beside the code name. */
export const EVENT_LABELS: Record<EventType, string> = {
  StoreDiscovered: 'Магазин Эвотор найден',
  StoreRenamed: 'Магазин Эвотор переименован',
  StoreLost: 'Магазин Эвотор больше не найден',
  StoreAccessChanged: 'Доступ к магазину Эвотор изменился',
  GroupAdded: 'Группа добавлена в Эвоторе',
  GroupChanged: 'Группа изменена в Эвоторе',
  GroupRemoved: 'Группа удалена в Эвоторе',
  ProductAdded: 'Товар добавлен в Эвоторе',
  CatalogNotified: 'Эвотор сообщил об изменении товаров',
  ReceiptRecorded: 'Чек продажи или возврата учтён',
  ProductChanged: 'Товар изменён в Эвоторе',
  ProductRemoved: 'Товар удалён в Эвоторе',
  CatalogFetched: 'Каталог Эвотор загружен',
  EvotorAccountLinked: 'Аккаунт Эвотор привязан',
  EvotorTokenReceived: 'Получен токен Эвотор',
  EvotorDisconnected: 'Эвотор отключён',
  EvotorHealthChanged: 'Состояние подключения Эвотор изменилось',
  EvotorUserRegistered: 'Пользователь Эвотор зарегистрирован',
  EvotorSubscriptionChanged: 'Подписка Эвотор изменилась',
  EvotorAppInstalled: 'Приложение установлено в Эвоторе',
  EvotorAppUninstalled: 'Приложение удалено в Эвоторе',
  VkCommunityConnected: 'Сообщество VK подключено',
  VkDisconnected: 'VK отключён',
  VkHealthChanged: 'Состояние подключения VK изменилось',
  VkTokenRefreshed: 'Ключ VK ID обновлён',
  VkAlbumCreateRequested: 'Запрошено создание подборки VK',
  VkAlbumCreated: 'Подборка VK создана',
  VkAlbumAdopted: 'Подборка VK найдена и принята',
  VkAlbumRenamed: 'Подборка VK переименована',
  VkAlbumCreateAbandoned: 'Создание подборки VK отменено',
  VkAlbumLost: 'Подборка VK пропала',
  DefaultPhotoUploaded: 'Загружено фото по умолчанию',
  VkItemCreateRequested: 'Запрошено создание товара VK',
  VkItemCreated: 'Товар VK создан',
  VkItemCreateAbandoned: 'Создание товара VK отменено',
  VkItemAdopted: 'Товар VK найден и принят',
  VkItemUpdated: 'Товар VK изменён',
  VkItemHidden: 'Товар VK скрыт',
  VkItemDeleted: 'Товар VK удалён',
  VkItemRestored: 'Товар VK восстановлен',
  VkItemAddedToAlbum: 'Товар VK добавлен в подборку',
  VkItemRemovedFromAlbum: 'Товар VK убран из подборки',
  VkCommandFailed: 'Запрос к VK не выполнен',
  VkFailureCleared: 'Ошибка VK снята',
  VkPushPaused: 'Выгрузка в VK приостановлена',
  VkPushResumed: 'Выгрузка в VK продолжена',
  VkPushStarted: 'Выгрузка в VK начата',
  VkPushFinished: 'Выгрузка в VK завершена',
  VkPushCompleted: 'Изменения из Эвотор выгружены в VK',
  VkPhotoUploaded: 'Фотография загружена в VK',
  VkPhotoFailed: 'Фотографию не удалось загрузить в VK',
  RoleDefined: 'Роль создана',
  RolePermissionsChanged: 'Права роли изменены',
  SyncEnabled: 'Синхронизация включена',
  SyncDisabled: 'Синхронизация выключена',
  SyncConfirmed: 'Синхронизация подтверждена',
  PriceMultiplierChanged: 'Множитель цены изменён',
  SyncTaskToggled: 'Задача синхронизации включена или выключена',
  SyncFilterRuleSet: 'Правило фильтра задано',
  SyncFilterRuleCleared: 'Правило фильтра снято',
  FieldOwnershipChanged: 'Владелец полей товара изменён',
  StockSourceChanged: 'Источник остатков для VK изменён',
  UnavailableItemsModeChanged: 'Изменено, что делать с товарами не в наличии',
  RunIntervalChanged: 'Интервал синхронизации изменён',
  SyncHealthNotified: 'Владельцу отправлено письмо о состоянии синхронизации',
  UserRegistered: 'Пользователь зарегистрирован',
  UserConfirmationRequested: 'Запрошено подтверждение email',
  UserEmailConfirmed: 'Email подтверждён',
  UserLoggedIn: 'Вход в систему',
  UserActivated: 'Пользователь активирован',
  UserSuspended: 'Пользователь заблокирован',
  UserProfileEdited: 'Профиль изменён',
  UserPasswordChanged: 'Пароль изменён',
  UserPasswordResetRequested: 'Запрошен сброс пароля',
  UserInvited: 'Пользователь приглашён',
  UserInviteAccepted: 'Приглашение принято',
  UserRolesChanged: 'Роли пользователя изменены',
  UserTimeZoneChanged: 'Часовой пояс изменён',
  UserDeleted: 'Пользователь удалён',
  EmailReserved: 'Email занят за пользователем',
  EmailReleased: 'Email освобождён',
  SystemAccountGranted: 'Выдана системная учётная запись',
  SystemAccountRevoked: 'Системная учётная запись отозвана',
  VkAlbumObserved: 'Подборка замечена в VK',
  VkAlbumChanged: 'Подборка изменена в VK',
  VkAlbumDisappeared: 'Подборка пропала из VK',
  VkItemObserved: 'Товар замечен в VK',
  VkItemsObserved: 'Товары замечены в VK',
  VkItemChanged: 'Товар изменён в VK',
  VkItemDisappeared: 'Товар пропал из VK',
  VkMarketFetched: 'Каталог VK загружен',
};

/** The label of a stored event's type; a type the code no longer appends keeps its code name. */
export const eventLabel = (type: string): string =>
  (EVENT_LABELS as Record<string, string>)[type] ?? type;
