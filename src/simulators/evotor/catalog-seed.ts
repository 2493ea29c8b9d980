import type { EvotorGroup, EvotorProduct } from '../../infrastructure/evotor/types.js';
import { ean13, type Random } from './random.js';

/** Sections of a small Russian grocery, each with goods, brands and how they are sold. */
const SECTIONS: Array<{
  group: string;
  subgroups: string[];
  goods: string[];
  brands: string[];
  sizes: Array<{ label: string; measure: string; price: [number, number] }>;
}> = [
  {
    group: 'Молочная продукция',
    subgroups: ['Молоко', 'Сыры', 'Кисломолочные'],
    goods: ['Молоко', 'Кефир', 'Ряженка', 'Сметана', 'Творог', 'Сыр Российский', 'Сыр Гауда'],
    brands: ['Простоквашино', 'Домик в деревне', 'Весёлый молочник', 'Брест-Литовск'],
    sizes: [
      { label: '0,5 л', measure: 'шт', price: [45, 95] },
      { label: '1 л', measure: 'шт', price: [79, 149] },
      { label: '200 г', measure: 'шт', price: [89, 259] },
      { label: 'весовой', measure: 'кг', price: [450, 990] },
    ],
  },
  {
    group: 'Хлеб и выпечка',
    subgroups: ['Хлеб', 'Выпечка'],
    goods: ['Хлеб ржаной', 'Батон нарезной', 'Хлеб Бородинский', 'Булочка с маком', 'Лаваш'],
    brands: ['Хлебозавод №1', 'Коломенское', 'Черёмушки'],
    sizes: [
      { label: '300 г', measure: 'шт', price: [35, 75] },
      { label: '500 г', measure: 'шт', price: [49, 99] },
    ],
  },
  {
    group: 'Бакалея',
    subgroups: ['Крупы', 'Макароны', 'Чай и кофе'],
    goods: ['Гречка', 'Рис круглозёрный', 'Макароны Спагетти', 'Чай чёрный', 'Кофе молотый'],
    brands: ['Мистраль', 'Макфа', 'Увелка', 'Greenfield', 'Жокей'],
    sizes: [
      { label: '900 г', measure: 'упак', price: [89, 219] },
      { label: '25 пак.', measure: 'упак', price: [79, 189] },
      { label: 'развес', measure: 'кг', price: [99, 349] },
    ],
  },
  {
    group: 'Напитки',
    subgroups: ['Вода', 'Соки'],
    goods: ['Вода питьевая', 'Сок яблочный', 'Морс клюквенный', 'Квас'],
    brands: ['Святой источник', 'Добрый', 'Очаковский', 'Сады Придонья'],
    sizes: [
      { label: '0,5 л', measure: 'шт', price: [39, 89] },
      { label: '1,5 л', measure: 'шт', price: [69, 169] },
      { label: 'на розлив', measure: 'л', price: [60, 120] },
    ],
  },
];

const TAXES = ['NO_VAT', 'VAT_10', 'VAT_20'];

export interface SeedSizes {
  groups: number;
  products: number;
}

export interface SeededGroups {
  groups: EvotorGroup[];
  /** index into the sections, so products land in a fitting group */
  sectionOf: Map<string, number>;
}

/** Nested groups for one store: a third are sections at the root, the rest nest under them. */
export function seedGroups(
  random: Random,
  base: Pick<EvotorGroup, 'store_id' | 'user_id' | 'created_at' | 'updated_at'>,
  count: number,
): SeededGroups {
  const groups: EvotorGroup[] = [];
  const sectionOf = new Map<string, number>();
  const rootCount = Math.min(SECTIONS.length, Math.max(1, Math.ceil(count / 3)));
  for (let i = 0; i < count; i++) {
    const parent = i < rootCount ? null : random.pick(groups);
    const sectionIndex = parent ? sectionOf.get(parent.id)! : i % SECTIONS.length;
    const section = SECTIONS[sectionIndex]!;
    const group: EvotorGroup = {
      id: random.uuid(),
      parent_id: parent?.id ?? null,
      name: parent ? `${random.pick(section.subgroups)} ${i}` : section.group,
      barcodes: [],
      attributes: [],
      ...base,
    };
    sectionOf.set(group.id, sectionIndex);
    groups.push(group);
  }
  return { groups, sectionOf };
}

const roubles = (random: Random, [min, max]: [number, number]) =>
  // whole kopecks, often ending in 9: 19.99, 149.90 …
  Number(
    `${random.int(min, max)}.${random.pick(['00', '90', '99', '49', String(random.int(10, 98))])}`,
  );

export function seedProducts(
  random: Random,
  base: Pick<EvotorProduct, 'store_id' | 'user_id' | 'created_at' | 'updated_at'>,
  { groups, sectionOf }: SeededGroups,
  count: number,
  barcodePrefix: string,
): EvotorProduct[] {
  const products: EvotorProduct[] = [];
  for (let i = 0; i < count; i++) {
    // A few products sit at the root, outside any group, as in real shops.
    const group = groups.length > 0 && !random.chance(0.05) ? random.pick(groups) : null;
    const section = group ? SECTIONS[sectionOf.get(group.id)!]! : random.pick(SECTIONS);
    const size = random.pick(section.sizes);
    const name = `${random.pick(section.goods)} «${random.pick(section.brands)}» ${size.label}`;
    const price = roubles(random, size.price);
    const weighed = size.measure === 'кг' || size.measure === 'л';
    products.push({
      id: random.uuid(),
      name,
      type: 'NORMAL',
      parent_id: group?.id ?? null,
      price,
      cost_price: Math.round(price * 70) / 100,
      quantity: weighed ? random.int(0, 50_000) / 1000 : random.int(0, 200),
      measure_name: size.measure,
      tax: random.pick(TAXES),
      allow_to_sell: !random.chance(0.07),
      description: random.chance(0.3) ? `${name}. Хранить в сухом прохладном месте.` : '',
      article_number: `АРТ-${String(random.int(1, 99999)).padStart(5, '0')}`,
      code: String(i + 1),
      barcodes: weighed
        ? []
        : [ean13(`${barcodePrefix}${String(i).padStart(12 - barcodePrefix.length, '0')}`)],
      ...base,
    });
  }
  // Shops also sell services: no stock, no barcode.
  const last = products[products.length - 1];
  if (count >= 10 && last) {
    Object.assign(last, {
      name: 'Доставка по городу',
      type: 'SERVICE',
      measure_name: 'шт',
      quantity: 0,
      cost_price: 0,
      barcodes: [],
      allow_to_sell: true,
    });
  }
  return products;
}
