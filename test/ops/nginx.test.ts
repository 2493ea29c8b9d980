import { execFile } from 'node:child_process';
import {
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { domainToASCII } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPTS = path.resolve('scripts');
const IDN = 'мои-товары.рф';
// A literal, checked against Python's independent IDNA codec, so the test does not just trust
// the function the script falls back to.
const IDN_ASCII = 'xn----8sbfwtmcso8g.xn--p1ai';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'evosync-nginx-'));
  env = {
    ...process.env,
    NGINX_SITES_AVAILABLE: path.join(dir, 'sites-available'),
    NGINX_SITES_ENABLED: path.join(dir, 'sites-enabled'),
    // No idn2 by that name: the node fallback does the conversion wherever the test runs.
    IDN2_BIN: 'evosync-no-such-idn2',
  };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function generate(domain: string, extra: NodeJS.ProcessEnv = {}) {
  return run(path.join(SCRIPTS, 'generate-nginx-conf.sh'), [domain], { env: { ...env, ...extra } });
}

describe('generate-nginx-conf.sh', () => {
  it('writes the site for a Cyrillic domain under its punycode name and enables it', async () => {
    expect(domainToASCII(IDN)).toBe(IDN_ASCII);
    const { stdout } = await generate(IDN);
    expect(stdout).toContain(`server_name ${IDN_ASCII} (from ${IDN})`);

    const file = path.join(env.NGINX_SITES_AVAILABLE!, `${IDN_ASCII}.conf`);
    const conf = await readFile(file, 'utf8');
    expect(await readlink(path.join(env.NGINX_SITES_ENABLED!, `${IDN_ASCII}.conf`))).toBe(file);

    expect(conf.match(new RegExp(`server_name ${IDN_ASCII};`, 'g'))).toHaveLength(2);
    expect(conf).toContain(`ssl_certificate     /etc/letsencrypt/live/${IDN_ASCII}/fullchain.pem;`);
    expect(conf).toContain(`ssl_certificate_key /etc/letsencrypt/live/${IDN_ASCII}/privkey.pem;`);
    expect(conf).not.toMatch(/server_name [^;]*[а-я]/);
    // every placeholder replaced, nginx's own variables kept
    expect(conf).not.toMatch(/\$\{[A-Z_]+\}/);
    expect(conf).toContain('return 301 https://$host$request_uri;');
    expect(conf).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
  });

  it('proxies to the upstream, serves the ACME challenge and sets the site-wide rules', async () => {
    await generate('my-products.ru', { EVOSYNC_UPSTREAM: '10.0.0.5:8081' });
    const conf = await readFile(
      path.join(env.NGINX_SITES_AVAILABLE!, 'my-products.ru.conf'),
      'utf8',
    );
    expect(conf).toContain('upstream evosync_web_my_products_ru {\n    server 10.0.0.5:8081;');
    expect(conf).toContain('proxy_pass http://evosync_web_my_products_ru;');
    expect(conf).toContain('location = /health {');
    expect(conf).toContain(
      'location ^~ /.well-known/acme-challenge/ {\n        root /var/www/certbot;',
    );
    expect(conf).toContain(
      'ssl_certificate     /etc/letsencrypt/live/my-products.ru/fullchain.pem;',
    );
    expect(conf).toMatch(/listen 443 ssl http2;/);
    expect(conf).toMatch(/client_max_body_size \d+m;/);
    expect(conf).toMatch(/gzip on;/);
    expect(conf).toContain('add_header Strict-Transport-Security');
    expect(conf).toContain('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
  });

  it('refuses a name that is not a domain and an upstream that could inject nginx syntax', async () => {
    await expect(generate('not a domain')).rejects.toMatchObject({ code: 2 });
    await expect(
      generate('ok.example', { EVOSYNC_UPSTREAM: '127.0.0.1:80; include /etc/passwd' }),
    ).rejects.toMatchObject({ code: 2 });
  });
});

describe('init-letsencrypt.sh (DRY_RUN=1)', () => {
  const dry = (...args: string[]) =>
    run(path.join(SCRIPTS, 'init-letsencrypt.sh'), args, {
      env: { ...env, DRY_RUN: '1', CERTBOT_EMAIL: '' },
    });

  it('prints the certbot webroot command for the punycode domain, with --staging', async () => {
    const { stdout } = await dry(IDN, '--staging', '--email', 'ops@example.com');
    const certbot = stdout.split('\n').find((l) => l.startsWith('+ certbot '));
    expect(certbot).toBeDefined();
    expect(certbot).toContain('certonly --webroot -w /var/www/certbot');
    expect(certbot).toContain(`-d ${IDN_ASCII} `);
    expect(certbot).toContain('--email ops@example.com');
    expect(certbot).toMatch(/ --staging$/);
    expect(stdout).not.toContain(`-d ${IDN}`);
  });

  it('bootstraps the challenge site when the domain is not enabled yet, and changes nothing', async () => {
    const { stdout } = await dry('new-shop.ru');
    expect(stdout).toContain('serving the challenge from a temporary site');
    expect(stdout).toContain('--register-unsafely-without-email');
    expect(stdout).not.toContain('--staging');
    expect(stdout).not.toContain('--force-renewal');
    await expect(
      readFile(path.join(env.NGINX_SITES_AVAILABLE!, 'new-shop.ru.acme.conf')),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('skips the bootstrap for a site that is already enabled', async () => {
    await generate('my-products.ru');
    const { stdout } = await dry('my-products.ru');
    expect(stdout).not.toContain('temporary site');
    expect(stdout).toContain('+ certbot certonly');
    expect((await dry('my-products.ru', '--force')).stdout).toMatch(/ --force-renewal/);
    await expect(dry('my-products.ru', '--bogus')).rejects.toMatchObject({ code: 2 });
  });
});

describe('init-letsencrypt.sh (for real, with a stand-in certbot)', () => {
  it('serves the challenge from a temporary site while certbot runs, then removes it', async () => {
    const bin = path.join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    const seen = path.join(dir, 'certbot-saw.txt');
    // records its arguments and the enabled sites at the moment it runs
    await writeFile(
      path.join(bin, 'certbot'),
      `#!/bin/sh\necho "$*" > '${seen}'\nls '${env.NGINX_SITES_ENABLED}' >> '${seen}'\n`,
    );
    await chmod(path.join(bin, 'certbot'), 0o755);
    const reloads = path.join(dir, 'reloads.txt');
    await run(path.join(SCRIPTS, 'init-letsencrypt.sh'), ['новый.рф'], {
      env: {
        ...env,
        PATH: `${bin}:${process.env.PATH}`,
        ACME_ROOT: path.join(dir, 'acme'),
        NGINX_RELOAD: `echo reload >> '${reloads}'`,
      },
    });
    const [args, ...enabledDuring] = (await readFile(seen, 'utf8')).trim().split('\n');
    expect(args).toContain(`-w ${path.join(dir, 'acme')} -d xn--b1aoke0e.xn--p1ai `);
    expect(enabledDuring).toContain('xn--b1aoke0e.xn--p1ai.acme.conf');
    expect(await readdir(env.NGINX_SITES_ENABLED!)).not.toContain(
      'xn--b1aoke0e.xn--p1ai.acme.conf',
    );
    expect(await readdir(env.NGINX_SITES_AVAILABLE!)).not.toContain(
      'xn--b1aoke0e.xn--p1ai.acme.conf',
    );
    // once to serve the challenge, once after removing the temporary site
    expect((await readFile(reloads, 'utf8')).trim().split('\n')).toEqual(['reload', 'reload']);
  });
});
