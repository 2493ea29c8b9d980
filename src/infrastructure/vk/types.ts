/** Shapes of VK answers the product reads (market/objects.json, 5.199), trimmed to what it uses. */
export interface VkPrice {
  amount: string;
  currency: { id: number; name: string; title?: string };
  text: string;
  old_amount?: string;
}

export interface VkPhotoSize {
  type: string;
  url: string;
  width: number;
  height: number;
}

export interface VkMarketItem {
  id: number;
  owner_id: number;
  title: string;
  description: string;
  price: VkPrice;
  category: { id: number; name: string };
  /** 0 available, 1 removed, 2 unavailable */
  availability: 0 | 1 | 2;
  date?: number;
  sku?: string;
  stock_amount?: number;
  thumb_photo?: string;
  /** with extended=1 */
  albums_ids?: number[];
  photos?: Array<{ id: number; owner_id: number; sizes: VkPhotoSize[] }>;
}

export interface VkMarketAlbum {
  id: number;
  owner_id: number;
  title: string;
  count: number;
  is_main?: boolean;
  is_hidden?: boolean;
  updated_time: number;
}

export interface VkList<T> {
  count: number;
  items: T[];
}

export interface VkGroup {
  id: number;
  name: string;
  screen_name: string;
  is_admin?: 0 | 1;
  admin_level?: number;
  photo_50?: string;
}

export interface VkUser {
  id: number;
  first_name: string;
  last_name: string;
}

/** What EvoSync sets on an item (market.add / market.edit parameters). */
export interface VkItemFields {
  name: string;
  description: string;
  category_id: number;
  /** rubles */
  price: number;
  old_price?: number;
  main_photo_id?: number;
  photo_ids?: number[];
  sku?: string;
  stock_amount?: number;
  /** true hides the item from buyers (VK's `deleted` flag) */
  deleted?: boolean;
}
