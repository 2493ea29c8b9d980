/**
 * The time zones an owner may choose for their pages: Russia's eleven, one per offset from
 * Moscow, named by IANA id. Russia keeps no summer time, so an offset is fixed. The label
 * names the zone the way Russian timetables do (МСК±N) with its main cities and UTC offset.
 */
export interface OwnerTimeZone {
  id: string;
  /** beside every time on the pages: «МСК+4» */
  short: string;
  /** in the profile's select: «МСК+4 — Красноярск, Новосибирск (UTC+7)» */
  label: string;
}

const zone = (id: string, short: string, cities: string, utc: number): OwnerTimeZone => ({
  id,
  short,
  label: `${short} — ${cities} (UTC+${utc})`,
});

export const OWNER_TIME_ZONES: readonly OwnerTimeZone[] = [
  zone('Europe/Kaliningrad', 'МСК−1', 'Калининград', 2),
  zone('Europe/Moscow', 'МСК', 'Москва, Санкт-Петербург', 3),
  zone('Europe/Samara', 'МСК+1', 'Самара, Ижевск', 4),
  zone('Asia/Yekaterinburg', 'МСК+2', 'Екатеринбург, Пермь, Тюмень', 5),
  zone('Asia/Omsk', 'МСК+3', 'Омск', 6),
  zone('Asia/Krasnoyarsk', 'МСК+4', 'Красноярск, Новосибирск, Томск', 7),
  zone('Asia/Irkutsk', 'МСК+5', 'Иркутск, Улан-Удэ', 8),
  zone('Asia/Yakutsk', 'МСК+6', 'Якутск, Чита, Благовещенск', 9),
  zone('Asia/Vladivostok', 'МСК+7', 'Владивосток, Хабаровск', 10),
  zone('Asia/Magadan', 'МСК+8', 'Магадан, Южно-Сахалинск', 11),
  zone('Asia/Kamchatka', 'МСК+9', 'Петропавловск-Камчатский, Анадырь', 12),
];

/** Pages show Moscow time until the owner chooses another zone. */
export const DEFAULT_OWNER_TIME_ZONE = 'Europe/Moscow';

export const ownerTimeZone = (id: string): OwnerTimeZone | undefined =>
  OWNER_TIME_ZONES.find((z) => z.id === id);

export const TIME_ZONE_REFUSED = 'Выберите часовой пояс из списка.';
