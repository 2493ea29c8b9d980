import { z } from 'zod';
import { SUBSCRIPTION_EVENT_TYPES } from '../../infrastructure/evotor/webhooks.js';

const id = z.string().trim().min(1).max(64);

/** userId plus the fields EvoSync configures in Evotor's portal: email, password, name. */
export const userCreateSchema = z.looseObject({
  userId: id,
  email: z.string().trim().max(254).pipe(z.email()),
  password: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
});

export const userVerifySchema = z.strictObject({
  userId: id,
  login: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
  customField: z.string().max(500).optional(),
});

export const userTokenSchema = z.strictObject({
  userId: id,
  token: z.string().trim().min(1).max(2000),
});

// Event bodies keep unknown fields: Evotor may add some, and a refusal would be retried for days.
export const subscriptionSchema = z.looseObject({
  subscriptionId: z.string().min(1).max(100),
  productId: z.string().min(1).max(100),
  userId: id,
  timestamp: z.number().int().nonnegative(),
  sequenceNumber: z.number().int(),
  type: z.enum(SUBSCRIPTION_EVENT_TYPES),
  planId: z.string().max(100).nullable().default(null),
  trialPeriodDuration: z.string().max(100).nullable().default(null),
  deviceNumber: z.number().int().nullable().default(null),
});

export const installationSchema = z.looseObject({
  id: z.string().min(1).max(100),
  timestamp: z.number().int().nonnegative(),
  version: z.literal(2),
  type: z.enum(['ApplicationInstalled', 'ApplicationUninstalled']),
  data: z.looseObject({ productId: z.string().min(1).max(100), userId: id }),
});

// Data notifications keep unknown fields too: Evotor's v1 product has more than EvoSync reads.
const money = z.number().finite().nullable().optional();
const text = (max: number) => z.string().max(max).nullable().optional();

export const v1ProductSchema = z.looseObject({
  uuid: id,
  parentUuid: z.string().max(64).nullable().optional(),
  group: z.boolean().nullable().optional(),
  name: z.string().max(1000),
  code: text(200),
  barCodes: z.array(z.string().max(200)).max(1000).nullable().optional(),
  alcoCodes: z.array(z.string().max(200)).max(1000).nullable().optional(),
  price: money,
  costPrice: money,
  quantity: money,
  measureName: text(100),
  tax: text(100),
  allowToSell: z.boolean().nullable().optional(),
  description: text(10_000),
  articleNumber: text(200),
  type: text(100),
});
export const v1ProductsSchema = z.array(v1ProductSchema).max(100_000);

export const v1StoresSchema = z
  .array(z.looseObject({ uuid: id, name: z.string().max(1000), address: text(2000) }))
  .max(10_000);

export const v2ReceiptSchema = z.looseObject({
  id: z.string().min(1).max(100),
  type: z.string().max(100).optional(),
  data: z.looseObject({
    id: id,
    storeId: id,
    type: z.string().min(1).max(100),
    items: z.array(z.looseObject({ id: id, quantity: z.number().finite() })).max(10_000),
  }),
});
