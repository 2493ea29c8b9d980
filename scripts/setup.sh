#!/usr/bin/env bash
# What `npm test` and `npm run demo` need on a fresh clone, checked before each run (npm's
# `pretest`/`predemo` hooks) and by .ci/run: the local MariaDB and Redis running, the npm
# dependencies installed and current, and (for the tests) Debian's chromium. Each check is a
# few milliseconds when everything is already there, so it runs every time.
#
#   bash scripts/setup.sh test   services, dependencies, chromium
#   bash scripts/setup.sh demo   services, dependencies
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}

say() { printf 'setup: %s\n' "$*" >&2; }
as_root() { [ "$(id -u)" = 0 ]; }

# MariaDB and Redis on loopback, as the defaults in .env.example expect. Only started when they
# do not answer and this is the machine's root (a developer's own services are left alone).
services() {
  if command -v mariadb-admin >/dev/null 2>&1 &&
    ! mariadb-admin -uroot --connect-timeout=2 ping >/dev/null 2>&1; then
    if as_root && [ -x /usr/sbin/mariadbd ]; then
      say "starting MariaDB"
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
      for _ in $(seq 1 30); do
        mariadb-admin -uroot --connect-timeout=2 ping >/dev/null 2>&1 && break
        sleep 1
      done
    else
      say "MariaDB does not answer on 127.0.0.1:3306; start it (or set DATABASE_URL)"
    fi
  fi
  if command -v redis-cli >/dev/null 2>&1 && ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
    if as_root && command -v redis-server >/dev/null 2>&1; then
      say "starting Redis"
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/evosync.log
      for _ in $(seq 1 20); do
        redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break
        sleep 0.5
      done
    else
      say "Redis does not answer on 127.0.0.1:6379; start it (or set REDIS_URL and AGENDA_URL)"
    fi
  fi
}

# npm writes node_modules/.package-lock.json on every install: missing, or older than the
# lockfile (a pull changed the dependencies), means `npm ci`, as npm itself would judge.
# A node_modules that is a symlink belongs to another checkout (a git worktree sharing the
# main one's): `npm ci` would empty it under that checkout's running processes, so it is left
# alone (a fresh worktree's lockfile is newer than the install only by its checkout time).
dependencies() {
  local installed=node_modules/.package-lock.json
  if [ -L node_modules ]; then
    [ -f "$installed" ] || say "node_modules links to another checkout without an install; run npm ci there"
    return 0
  fi
  if [ ! -f "$installed" ] || [ package-lock.json -nt "$installed" ]; then
    say "installing the npm dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
}

# The browser tests drive Debian's chromium through playwright-core; no browser is downloaded.
chromium_browser() {
  command -v chromium >/dev/null 2>&1 && return 0
  if as_root && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian's chromium for the browser tests (apt-get)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    say "the browser tests need Debian's chromium: run  sudo apt-get install chromium"
    exit 1
  fi
}

case "$mode" in
  test)
    services
    dependencies
    chromium_browser
    ;;
  demo)
    services
    dependencies
    ;;
  *)
    say "unknown mode '$mode' (test or demo)"
    exit 2
    ;;
esac
