/**
 * What Evotor's cloud sends to the app's data notifications (Evotor's documentation,
 * `evotor/documentation`: doc_evotor_api_authorization.md and doc_example_calls.md). The v1
 * product is camelCase, with groups in the same array (`group: true`); prices are roubles as
 * JSON numbers. Fields the examples leave out are optional.
 */
export interface EvotorV1Product {
  uuid: string;
  /** the group it belongs to (a group's parent group), absent at the root */
  parentUuid?: string | null;
  /** true for a group (a folder of products) */
  group?: boolean | null;
  name: string;
  code?: string | null;
  barCodes?: string[] | null;
  alcoCodes?: string[] | null;
  price?: number | null;
  costPrice?: number | null;
  quantity?: number | null;
  measureName?: string | null;
  tax?: string | null;
  allowToSell?: boolean | null;
  description?: string | null;
  articleNumber?: string | null;
  type?: string | null;
}

/** `PUT …/api/v1/inventories/stores`: the stores created or changed in the owner's account. */
export interface EvotorV1Store {
  uuid: string;
  name: string;
  address?: string | null;
}

/**
 * `POST …/api/v2/receipts`. Evotor's pages name this notification and its token but show no
 * body; this is the shape of Evotor's v2 receipt documents as its API reference lists them
 * (an envelope with `data`, lines in `data.items` with the product `id` and `quantity`).
 * Everything else is kept but not read.
 */
export interface EvotorV2Receipt {
  id: string;
  type?: string;
  data: {
    id: string;
    storeId: string;
    /** SELL, PAYBACK; other kinds (BUY, BUYBACK: purchases from suppliers) move nothing here */
    type: string;
    items: Array<{ id: string; quantity: number }>;
  };
}
