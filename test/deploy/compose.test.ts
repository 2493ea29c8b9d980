import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../src/infrastructure/config/config.js';
import { agendaBackendKind } from '../../src/infrastructure/scheduler/agenda-backend.js';

// No Docker engine here: the stack is checked by reading its files.
const composeText = readFileSync('docker-compose.yml', 'utf8');
const compose = parseYaml(composeText, { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const example = parseDotenv(readFileSync('.env.example'));
const dockerfile = readFileSync('Dockerfile', 'utf8');
const dockerignore = readFileSync('.dockerignore', 'utf8').split('\n');

interface Service {
  image?: string;
  command?: string[];
  env_file?: string;
  restart?: string;
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
  volumes?: string[];
}

const services = Object.entries(compose.services);
const DATABASES = ['eventstoredb', 'mariadb', 'mongodb'];

describe('docker-compose.yml', () => {
  it('has the six services', () => {
    expect(Object.keys(compose.services).sort()).toEqual(
      ['eventstoredb', 'mariadb', 'mongodb', 'redis', 'web', 'worker'].sort(),
    );
  });

  it.each(services)('%s has a healthcheck and restarts unless stopped', (_name, service) => {
    expect(service.healthcheck?.test).toBeTruthy();
    expect(service.restart).toBe('unless-stopped');
  });

  it.each(['web', 'worker'])('%s waits for healthy databases and reads .env', (name) => {
    const service = compose.services[name]!;
    for (const db of DATABASES) {
      expect(service.depends_on?.[db]?.condition, `${name} → ${db}`).toBe('service_healthy');
    }
    // the VK rate limiters' shared state (issue 12.7)
    expect(service.depends_on?.redis?.condition, `${name} → redis`).toBe('service_healthy');
    expect(service.env_file).toBe('.env');
    expect(service.command?.slice(0, 2)).toEqual(['node', `dist/src/main/${name}.js`]);
  });

  it('keeps the databases on named volumes', () => {
    for (const db of DATABASES) {
      const volume = compose.services[db]!.volumes?.[0]?.split(':')[0];
      expect(Object.keys(compose.volumes)).toContain(volume);
    }
  });

  it('declares in .env.example every variable it interpolates', () => {
    const referenced = [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(0);
    for (const name of referenced) expect(Object.keys(example), name).toContain(name);
  });
});

describe('.env.example', () => {
  it('points the adapters at the compose services with the right schemes', () => {
    expect(example.EVENTSTORE_URL).toBe('esdb://eventstoredb:2113?tls=false');
    expect(example.REDIS_URL).toBe('redis://redis:6379/0');
    expect(example.AGENDA_URL).toMatch(/^mongodb:\/\/mongodb:27017\/evosync$/);
    expect(agendaBackendKind(example.AGENDA_URL!)).toBe('mongodb');
    expect(example.DATABASE_URL).toMatch(/^mysql:\/\/evosync:[^@]+@mariadb:3306\/evosync$/);
    const dbPassword = decodeURIComponent(new URL(example.DATABASE_URL!).password);
    expect(dbPassword).toBe(example.MARIADB_PASSWORD);
  });

  it('lists every setting of the config schema, and nothing stale', () => {
    const listed = Object.keys(example);
    for (const key of CONFIG_KEYS) expect(listed, key).toContain(key);
    const composeOnly = new Set(
      [...composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]),
    );
    const known = new Set<string>(CONFIG_KEYS);
    expect(listed.filter((key) => !known.has(key) && !composeOnly.has(key))).toEqual([]);
  });

  it('is a valid production configuration once SECRET_KEY is set, and not before', () => {
    expect(() => loadConfig({ ...example }, null)).toThrow(/SECRET_KEY/);
    const config = loadConfig({ ...example, SECRET_KEY: 'x'.repeat(32) }, null);
    expect(config.NODE_ENV).toBe('production');
  });
});

describe('Dockerfile', () => {
  it('builds in stages and runs as a non-root user in production mode', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    expect(dockerfile).toMatch(/^FROM \$\{NODE_IMAGE\} AS build$/m);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(runtime).toMatch(/NODE_ENV=production/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main\/web\.js"\]$/m);
  });

  it('does not copy anything .dockerignore leaves out of the build context', () => {
    const ignored = new Set(dockerignore.filter((line) => line && !line.startsWith('#')));
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      m[1]!.split(' '),
    );
    expect(sources).toContain('src');
    for (const source of sources) expect(ignored.has(source), source).toBe(false);
    expect(ignored.has('.env')).toBe(true);
    expect(ignored.has('test')).toBe(true);
  });
});
