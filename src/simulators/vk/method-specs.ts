/**
 * Parameter rules of the Market methods, transcribed from VK's official schema
 * (VKCOM/vk-api-schema 5.199, market/methods.json, MIT). Only the fields the simulator
 * validates are kept; the non-market methods at the end follow VK's documentation.
 */
export interface ParamSpec {
  name: string;
  type: 'integer' | 'number' | 'string' | 'boolean' | 'array';
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  default?: number | boolean;
}

export const METHOD_SPECS: Record<string, ParamSpec[]> = {
  'market.add': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'name', type: 'string', required: true, minLength: 4, maxLength: 100 },
    { name: 'description', type: 'string', required: true, minLength: 10 },
    { name: 'category_id', type: 'integer', required: true, minimum: 0 },
    { name: 'price', type: 'number', minimum: 0, maximum: 999999999999 },
    { name: 'old_price', type: 'number', minimum: 0, maximum: 999999999999 },
    { name: 'deleted', type: 'boolean' },
    { name: 'main_photo_id', type: 'integer', minimum: 0 },
    { name: 'photo_ids', type: 'array', maxItems: 4 },
    { name: 'video_ids', type: 'array', maxItems: 2 },
    { name: 'url', type: 'string', minLength: 0, maxLength: 320 },
    { name: 'variant_ids', type: 'array', maxItems: 2 },
    { name: 'is_main_variant', type: 'boolean' },
    { name: 'dimension_width', type: 'integer', minimum: 0, maximum: 100000 },
    { name: 'dimension_height', type: 'integer', minimum: 0, maximum: 100000 },
    { name: 'dimension_length', type: 'integer', minimum: 0, maximum: 100000 },
    { name: 'weight', type: 'integer', minimum: 0, maximum: 100000000 },
    { name: 'sku', type: 'string', maxLength: 50 },
    { name: 'stock_amount', type: 'integer', minimum: -1, maximum: 999999 },
  ],
  'market.addAlbum': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'title', type: 'string', required: true, maxLength: 128 },
    { name: 'photo_id', type: 'integer', minimum: 0 },
    { name: 'main_album', type: 'boolean' },
    { name: 'is_hidden', type: 'boolean' },
  ],
  'market.addToAlbum': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'item_ids', type: 'array', required: true },
    { name: 'album_ids', type: 'array', required: true },
  ],
  'market.delete': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'item_id', type: 'integer', required: true, minimum: 0 },
  ],
  'market.deleteAlbum': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'album_id', type: 'integer', required: true, minimum: 0 },
  ],
  'market.edit': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'item_id', type: 'integer', required: true, minimum: 0 },
    { name: 'name', type: 'string', minLength: 4, maxLength: 100 },
    { name: 'description', type: 'string', minLength: 10 },
    { name: 'category_id', type: 'integer', minimum: 0 },
    { name: 'price', type: 'number', minimum: 0, maximum: 999999999999 },
    { name: 'old_price', type: 'number', minimum: 0, maximum: 999999999999 },
    { name: 'deleted', type: 'boolean' },
    { name: 'main_photo_id', type: 'integer', minimum: 0 },
    { name: 'photo_ids', type: 'array', maxItems: 4 },
    { name: 'video_ids', type: 'array', maxItems: 2 },
    { name: 'url', type: 'string', minLength: 0, maxLength: 320 },
    { name: 'variant_ids', type: 'array', maxItems: 2 },
    { name: 'is_main_variant', type: 'boolean' },
    { name: 'dimension_width', type: 'integer', minimum: 0, maximum: 100000 },
    { name: 'dimension_height', type: 'integer', minimum: 0, maximum: 100000 },
    { name: 'dimension_length', type: 'integer', minimum: 0, maximum: 100000 },
    { name: 'weight', type: 'integer', minimum: 0, maximum: 100000000 },
    { name: 'sku', type: 'string', maxLength: 50 },
    { name: 'stock_amount', type: 'integer', minimum: -1, maximum: 999999 },
  ],
  'market.editAlbum': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'album_id', type: 'integer', required: true, minimum: 0 },
    { name: 'title', type: 'string', required: true, maxLength: 128 },
    { name: 'photo_id', type: 'integer', minimum: 0 },
    { name: 'main_album', type: 'boolean' },
    { name: 'is_hidden', type: 'boolean' },
  ],
  'market.get': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'album_id', type: 'integer', default: 0 },
    { name: 'count', type: 'integer', minimum: 0, maximum: 200, default: 100 },
    { name: 'offset', type: 'integer', minimum: 0 },
    { name: 'extended', type: 'boolean' },
    { name: 'date_from', type: 'string' },
    { name: 'date_to', type: 'string' },
    { name: 'need_variants', type: 'boolean' },
    { name: 'with_disabled', type: 'boolean' },
    { name: 'fields', type: 'array' },
  ],
  'market.getAlbums': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'offset', type: 'integer', minimum: 0 },
    { name: 'count', type: 'integer', minimum: 0, maximum: 100, default: 50 },
  ],
  'market.getCategories': [
    { name: 'group_id', type: 'integer', minimum: 1 },
    { name: 'album_id', type: 'integer', minimum: 1 },
  ],
  'market.getProductPhotoUploadServer': [
    { name: 'group_id', type: 'integer', required: true, minimum: 1 },
    { name: 'bulk', type: 'boolean' },
  ],
  'market.removeFromAlbum': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'item_id', type: 'integer', required: true, minimum: 0 },
    { name: 'album_ids', type: 'array', required: true },
  ],
  'market.restore': [
    { name: 'owner_id', type: 'integer', required: true },
    { name: 'item_id', type: 'integer', required: true, minimum: 0 },
  ],
  'market.saveProductPhoto': [{ name: 'upload_response', type: 'string', required: true }],
  'groups.getById': [
    { name: 'group_id', type: 'string' },
    { name: 'group_ids', type: 'array' },
  ],
  'groups.get': [
    { name: 'user_id', type: 'integer', minimum: 0 },
    { name: 'extended', type: 'boolean' },
    { name: 'filter', type: 'array' },
    { name: 'offset', type: 'integer', minimum: 0 },
    { name: 'count', type: 'integer', minimum: 0, maximum: 1000 },
  ],
  'users.get': [
    { name: 'user_ids', type: 'array' },
    { name: 'fields', type: 'array' },
  ],
};
