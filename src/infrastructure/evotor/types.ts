/**
 * Evotor cloud API v2 answers as they come over the wire (snake_case, roubles as JSON numbers).
 * Fields the public examples sometimes leave out are optional; `normalize.ts` fills them in.
 */

export interface EvotorPaging {
  next_cursor?: string;
}

export interface EvotorPage<T> {
  items: T[];
  paging: EvotorPaging;
}

export interface EvotorStore {
  id: string;
  name: string;
  address?: string;
  user_id?: string;
  created_at?: string;
  updated_at?: string;
}

export interface EvotorGroup {
  id: string;
  parent_id?: string | null;
  name: string;
  barcodes?: string[];
  attributes?: unknown[];
  store_id?: string;
  user_id?: string;
  created_at?: string;
  updated_at?: string;
}

export const EVOTOR_PRODUCT_TYPES = [
  'NORMAL',
  'SERVICE',
  'ALCOHOL_NOT_MARKED',
  'ALCOHOL_MARKED',
  'TOBACCO_MARKED',
  'SHOES_MARKED',
  'MEDICINE_MARKED',
  'DAIRY_MARKED',
  'WATER_MARKED',
] as const;

/** Evotor adds product types over time; unknown ones are kept as strings. */
export type EvotorProductType = (typeof EVOTOR_PRODUCT_TYPES)[number] | (string & {});

export interface EvotorProduct {
  id: string;
  name: string;
  type: EvotorProductType;
  /** the product's group */
  parent_id?: string | null;
  /** roubles */
  price: number;
  cost_price?: number;
  /** up to 3 decimals */
  quantity?: number;
  measure_name?: string;
  /** NO_VAT, VAT_10, VAT_18, VAT_20, … */
  tax?: string;
  allow_to_sell?: boolean;
  description?: string;
  article_number?: string;
  code?: string;
  barcodes?: string[];
  store_id?: string;
  user_id?: string;
  created_at?: string;
  updated_at?: string;
}

/**
 * `GET /stores/{sid}/products/{pid}/images` (scope `product.image:read`), one list item.
 * Evotor's images page gives the fields, not their types or which are always sent: anything
 * missing counts as 0 / empty, so an image is then identified by its bytes alone.
 */
export interface EvotorProductImage {
  id: string;
  product_id?: string;
  url: string;
  meta?: { extension?: string; file_size?: number; width?: number; height?: number };
  created_at?: string;
  updated_at?: string;
}

/** Evotor's error envelope of the v2 API (400 adds `violations`). */
export interface EvotorErrorBody {
  code?: string | number;
  message?: string;
  violations?: Array<{ reason?: string; subject?: string }>;
}

export const EVOTOR_V2_MEDIA_TYPE = 'application/vnd.evotor.v2+json';
