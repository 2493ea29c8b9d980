import {
  EVOTOR_NOTIFICATION_PATHS,
  EVOTOR_WEBHOOK_PATHS,
  SUBSCRIPTION_EVENT_TYPES,
} from '../../infrastructure/evotor/webhooks.js';

/**
 * The OpenAPI 3.1 description of EvoSync's machine-facing HTTP endpoints: health and metrics,
 * the Evotor webhooks and the JSON helpers of the dashboard. The HTML pages are not in it.
 * An operation described before it is built carries `x-implemented: false`; a test checks
 * that every JSON route of the app is described here.
 */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: Record<string, Record<string, unknown>>;
  [extension: string]: unknown;
}

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  tags: string[];
  responses: Record<string, unknown>;
  [field: string]: unknown;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const evotorError = (description: string, codes: string) =>
  json(ref('EvotorErrors'), `${description} (error codes: ${codes})`);
/** For operations described before they are built; none at the moment. */
export const NOT_IMPLEMENTED = { 'x-implemented': false } as const;

const webhookCommon = {
  tags: ['Evotor webhooks'],
  security: [{ evotorWebhook: [] }],
};
const webhookAuthErrors = {
  '400': evotorError(
    'Malformed body',
    '2001 syntax, 2002 missing or unexpected field, 2003 bad value',
  ),
  '401': evotorError('Missing or wrong Bearer secret', '1001'),
  '429': evotorError('Too many deliveries from this address in a minute', '429'),
  '500': evotorError('EvoSync failed; Evotor delivers again later', '500'),
};
const eventAccepted = {
  description:
    'Accepted. Also the answer for a duplicate delivery and for a stale sequenceNumber: Evotor retries until it gets a 200, so handlers are idempotent.',
};
/** Evotor's data notifications (src/web/webhooks/notification-routes.ts). */
function notificationPaths() {
  const common = { tags: ['Evotor webhooks'], security: [{ evotorUserToken: [] }] };
  const errors = {
    ...webhookAuthErrors,
    '401': evotorError('Missing or unknown user token, or a store that is not this user’s', '1001'),
  };
  const body = (description: string) => ({
    required: true,
    description,
    content: { 'application/json': { schema: { type: 'array' as const } } },
  });
  const toOpenApi = (path: string) => path.replace(/:(\w+)/g, '{$1}');
  return {
    [toOpenApi(EVOTOR_NOTIFICATION_PATHS.products)]: {
      post: {
        operationId: 'evotorProductsNotification',
        summary: 'Products created or changed at the register (a partial catalog)',
        description:
          'Recorded as added or changed products, never as removals; the same delivery again appends nothing.',
        ...common,
        parameters: [{ name: 'storeUuid', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: body('Evotor’s v1 product array (camelCase; groups have `group: true`)'),
        responses: { '200': eventAccepted, ...errors },
      },
    },
    [EVOTOR_NOTIFICATION_PATHS.stores]: {
      put: {
        operationId: 'evotorStoresNotification',
        summary: 'Stores created or changed in the owner’s Evotor account',
        ...common,
        requestBody: body('`[{uuid, name, address}]`'),
        responses: { '200': eventAccepted, ...errors },
      },
    },
    [EVOTOR_NOTIFICATION_PATHS.receipts]: {
      post: {
        operationId: 'evotorReceiptNotification',
        summary: 'A receipt: a sale lowers the stock of its products, a refund raises it',
        ...common,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object' as const } } },
        },
        responses: { '200': eventAccepted, ...errors },
      },
    },
  };
}

const sessionJson = (operationId: string, summary: string, description: string) => ({
  operationId,
  summary,
  description,
  tags: ['Connections'],
  security: [{ session: [], csrf: [] }],
  responses: {
    '200': json(ref('ConnectionTestResult'), 'The check ran; `ok` tells its result'),
    '401': json(ref('AppError'), 'Not signed in'),
    '403': json(ref('AppError'), 'No permission for connections, or a missing or wrong CSRF token'),
    '404': json(ref('AppError'), 'No connection of this kind is saved (`not_connected`)'),
  },
});

export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'EvoSync',
    version: '0.1.0',
    description:
      'Keeps a shop’s VK Market storefront in step with its Evotor cash register. These are the machine-facing endpoints; the dashboard pages are HTML and not listed.',
  },
  servers: [{ url: '/' }],
  tags: [
    { name: 'Operations', description: 'Health, metrics and this document' },
    { name: 'Evotor webhooks', description: 'Called by the Evotor cloud' },
    { name: 'Sync', description: 'What the dashboard’s /sync page polls' },
    { name: 'Connections', description: 'JSON helpers of the connections page (signed-in users)' },
  ],
  paths: {
    '/health': {
      get: {
        operationId: 'getHealth',
        summary: 'Every dependency’s state',
        tags: ['Operations'],
        responses: {
          '200': json(ref('Health'), 'Every required dependency answers'),
          '503': json(ref('Health'), 'A required dependency is down'),
        },
      },
    },
    '/metrics': {
      get: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics (text exposition format)',
        description: 'For Prometheus on the private network; nginx refuses it from outside.',
        tags: ['Operations'],
        responses: {
          '200': {
            description: 'Exposition text, version 0.0.4',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'getOpenApi',
        summary: 'This document',
        tags: ['Operations'],
        responses: { '200': json({ type: 'object' }, 'The OpenAPI 3.1 document') },
      },
    },
    [EVOTOR_WEBHOOK_PATHS.userCreate]: {
      post: {
        operationId: 'evotorUserCreate',
        summary: 'Evotor registers a user in EvoSync and gets the user’s API token',
        ...webhookCommon,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('UserCreate') } },
        },
        responses: {
          '200': json(ref('UserToken'), 'Registered; `token` is EvoSync’s API token for this user'),
          ...webhookAuthErrors,
          '409': evotorError(
            'This Evotor user is already registered with a different request, or the email already has an account',
            '2005',
          ),
        },
      },
    },
    [EVOTOR_WEBHOOK_PATHS.userVerify]: {
      post: {
        operationId: 'evotorUserVerify',
        summary: 'Evotor signs an existing EvoSync user in and gets the user’s API token',
        ...webhookCommon,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('UserVerify') } },
        },
        responses: {
          '200': json(
            ref('UserToken'),
            'Credentials accepted; the Evotor user is linked to the account',
          ),
          ...webhookAuthErrors,
          '409': evotorError('This Evotor user is linked to another EvoSync account', '2005'),
          '401': evotorError(
            'Missing or wrong Bearer secret, or wrong login or password',
            '1001, 1006',
          ),
        },
      },
    },
    [EVOTOR_WEBHOOK_PATHS.userToken]: {
      post: {
        operationId: 'evotorUserToken',
        summary: 'Evotor delivers its access token for calling its API for this user',
        description: 'The token is stored encrypted and never logged.',
        ...webhookCommon,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('EvotorToken') } },
        },
        responses: {
          '200': { description: 'Stored (a repeated delivery of the same token changes nothing)' },
          ...webhookAuthErrors,
          '400': evotorError(
            'Malformed body, or a userId not yet registered through /user/create or /user/verify',
            '2001 syntax, 2002 missing or unexpected field, 2003 bad value (subject userId: unknown user)',
          ),
          '409': evotorError('The account is linked to another Evotor user', '2005'),
        },
      },
    },
    [EVOTOR_WEBHOOK_PATHS.subscriptionEvent]: {
      post: {
        operationId: 'evotorSubscriptionEvent',
        summary: 'A subscription of the user to the app changed',
        ...webhookCommon,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('SubscriptionEvent') } },
        },
        responses: { '200': eventAccepted, ...webhookAuthErrors },
      },
    },
    [EVOTOR_WEBHOOK_PATHS.installationEvent]: {
      post: {
        operationId: 'evotorInstallationEvent',
        summary: 'The app was installed or uninstalled',
        ...webhookCommon,
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('InstallationEvent') } },
        },
        responses: { '200': eventAccepted, ...webhookAuthErrors },
      },
    },
    ...notificationPaths(),
    '/connections/evotor/test': {
      post: sessionJson(
        'testEvotorConnection',
        'Checks the saved Evotor token by listing the stores',
        'Answers 200 whatever the check found; `ok: false` with the reason when Evotor refused.',
      ),
    },
    '/connections/vk/test': {
      post: sessionJson(
        'testVkConnection',
        'Checks the saved VK token and community by reading the market albums',
        'Answers 200 whatever the check found; `ok: false` with the reason when VK refused.',
      ),
    },
    '/sync/progress': {
      get: {
        operationId: 'syncProgress',
        summary: 'The owner’s sync at a glance, as /sync polls it',
        description:
          'Phase (idle, fetching, pushing), the running push’s count, percent and time left, the last and next run, and whether the sync is broken with the reasons in Russian.',
        tags: ['Sync'],
        security: [{ session: [] }],
        responses: {
          '200': json({ type: 'object' }, 'The state; see src/web/sync/progress-json.ts'),
          '401': json(ref('AppError'), 'Not signed in'),
          '403': json(ref('AppError'), 'No permission to use the sync'),
        },
      },
    },
  },
  components: {
    securitySchemes: {
      evotorWebhook: {
        type: 'http',
        scheme: 'bearer',
        description: 'Authorization: Bearer EVOTOR_WEBHOOK_SECRET',
      },
      evotorUserToken: {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description:
          'The user’s token EvoSync answered to /user/create or /user/verify, bare or as `Bearer <token>`',
      },
      session: { type: 'apiKey', in: 'cookie', name: 'evosync.sid' },
      csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
    },
    schemas: {
      Health: {
        type: 'object',
        required: ['status', 'time', 'ok', 'checks'],
        properties: {
          status: { enum: ['ok', 'unhealthy'] },
          time: { type: 'string', format: 'date-time' },
          ok: { type: 'boolean' },
          checks: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              required: ['ok', 'required'],
              properties: { ok: { type: 'boolean' }, required: { type: 'boolean' } },
              additionalProperties: true,
            },
          },
        },
      },
      EvotorErrors: {
        type: 'object',
        required: ['errors'],
        properties: {
          errors: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['code'],
              properties: {
                code: { type: 'integer', examples: [2002] },
                reason: { type: 'string' },
                subject: { type: 'string' },
                value: {},
              },
            },
          },
        },
      },
      AppError: {
        type: 'object',
        required: ['error', 'message'],
        properties: { error: { type: 'string' }, message: { type: 'string' } },
      },
      UserCreate: {
        type: 'object',
        required: ['userId', 'email', 'password'],
        description:
          'userId plus the fields configured in the Evotor developer portal: EvoSync needs email and password (the new account), name is optional; other fields are ignored',
        properties: {
          userId: { type: 'string' },
          email: { type: 'string', format: 'email' },
          password: { type: 'string', format: 'password' },
          name: { type: 'string' },
        },
        additionalProperties: true,
      },
      UserVerify: {
        type: 'object',
        required: ['userId', 'login', 'password'],
        properties: {
          userId: { type: 'string' },
          login: { type: 'string' },
          password: { type: 'string', format: 'password' },
          customField: { type: 'string' },
        },
      },
      UserToken: {
        type: 'object',
        required: ['userId', 'token'],
        properties: {
          userId: { type: 'string' },
          token: { type: 'string', description: 'EvoSync’s API token for this Evotor user' },
          hasBilling: { type: 'boolean' },
        },
      },
      EvotorToken: {
        type: 'object',
        required: ['userId', 'token'],
        properties: { userId: { type: 'string' }, token: { type: 'string' } },
      },
      SubscriptionEvent: {
        type: 'object',
        required: ['subscriptionId', 'productId', 'userId', 'timestamp', 'sequenceNumber', 'type'],
        properties: {
          subscriptionId: { type: 'string' },
          productId: { type: 'string' },
          userId: { type: 'string' },
          timestamp: { type: 'integer', description: 'ms since the epoch' },
          sequenceNumber: { type: 'integer', description: 'older than one already seen: dropped' },
          type: { enum: [...SUBSCRIPTION_EVENT_TYPES] },
          planId: { type: 'string' },
          trialPeriodDuration: { type: ['string', 'null'] },
          deviceNumber: { type: ['integer', 'null'] },
        },
      },
      InstallationEvent: {
        type: 'object',
        required: ['id', 'timestamp', 'version', 'type', 'data'],
        properties: {
          id: { type: 'string' },
          timestamp: { type: 'integer' },
          version: { const: 2 },
          type: { enum: ['ApplicationInstalled', 'ApplicationUninstalled'] },
          data: {
            type: 'object',
            required: ['productId', 'userId'],
            properties: { productId: { type: 'string' }, userId: { type: 'string' } },
          },
        },
      },
      ConnectionTestResult: {
        type: 'object',
        required: ['ok', 'message', 'details'],
        properties: {
          ok: { type: 'boolean' },
          message: { type: 'string', description: 'for the user, in Russian' },
          errorCode: { type: 'string', description: 'the API’s error code when ok is false' },
          details: {
            type: 'object',
            description: 'what the check saw: store count (Evotor), community and album count (VK)',
            additionalProperties: true,
          },
        },
      },
    },
  },
};

/** The OpenAPI paths of the HTML pages and assets the ops router serves (not in the document). */
export const OPS_HTML_PAGES = ['/docs/*', '/redoc/*'] as const;
