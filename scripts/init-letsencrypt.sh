#!/usr/bin/env bash
# Obtains a Let's Encrypt certificate for one domain with certbot's webroot method:
#   sudo ./scripts/init-letsencrypt.sh my-products.ru
#   sudo ./scripts/init-letsencrypt.sh мои-товары.рф --email admin@example.com
#   sudo ./scripts/init-letsencrypt.sh my-products.ru --staging   # test CA, no rate limits
#   sudo ./scripts/init-letsencrypt.sh my-products.ru --force     # replace it (e.g. the staging one)
# An internationalised domain is converted to punycode (xn--…): the certificate lands in
# /etc/letsencrypt/live/<xn--…>/, where the generated nginx site looks for it.
#
# The webroot must be served on port 80 for the challenge. When the EvoSync site is not
# enabled yet (first run: its HTTPS block needs this very certificate), a temporary port-80
# site that serves only the challenge is enabled for the duration of the run.
#
# Environment (defaults in brackets):
#   ACME_ROOT             [/var/www/certbot]   webroot shared with nginx
#   CERTBOT_EMAIL         []                   account email (or --email); none: no expiry mail
#   NGINX_SITES_AVAILABLE [/etc/nginx/sites-available]
#   NGINX_SITES_ENABLED   [/etc/nginx/sites-enabled]
#   NGINX_RELOAD          [nginx -t && nginx -s reload]   how to apply nginx changes
#   DRY_RUN=1             print what would run (certbot command included) and change nothing
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/domain.sh
. "$here/lib/domain.sh"

usage() {
  echo "usage: $0 DOMAIN [--staging] [--force] [--email ADDRESS]" >&2
  exit 2
}

domain_input=""
staging=0
force=0
email="${CERTBOT_EMAIL:-}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --staging) staging=1 ;;
    --force) force=1 ;;
    --email)
      [[ $# -ge 2 ]] || usage
      email="$2"
      shift
      ;;
    --email=*) email="${1#--email=}" ;;
    -h | --help) usage ;;
    -*)
      echo "error: unknown option $1" >&2
      usage
      ;;
    *)
      [[ -z "$domain_input" ]] || usage
      domain_input="$1"
      ;;
  esac
  shift
done
[[ -n "$domain_input" ]] || usage

domain="$(domain_to_ascii "$domain_input")"
acme_root="${ACME_ROOT:-/var/www/certbot}"
available="${NGINX_SITES_AVAILABLE:-/etc/nginx/sites-available}"
enabled="${NGINX_SITES_ENABLED:-/etc/nginx/sites-enabled}"
reload="${NGINX_RELOAD:-nginx -t && nginx -s reload}"
dry_run="${DRY_RUN:-0}"

cmd=(certbot certonly --webroot -w "$acme_root" -d "$domain"
  --non-interactive --agree-tos --keep-until-expiring
  --deploy-hook "nginx -s reload")
if [[ -n "$email" ]]; then
  cmd+=(--email "$email" --no-eff-email)
else
  cmd+=(--register-unsafely-without-email)
fi
if [[ "$staging" -eq 1 ]]; then cmd+=(--staging); fi
# A certificate still valid is kept unless forced: a staging one would otherwise stay.
if [[ "$force" -eq 1 ]]; then cmd+=(--force-renewal); fi

# Prints a command as a shell would read it back.
show() {
  local out="" arg
  for arg in "$@"; do out+="$(printf '%q' "$arg") "; done
  printf '%s\n' "${out% }"
}

run() {
  if [[ "$dry_run" == "1" ]]; then
    printf '+ '
    show "$@"
  else
    "$@"
  fi
}

apply_nginx() {
  if [[ "$dry_run" == "1" ]]; then
    echo "+ $reload"
  else
    bash -c "$reload"
  fi
}

if [[ "$domain" != "$domain_input" ]]; then
  echo "domain: $domain_input -> $domain"
fi
run mkdir -p "$acme_root"

bootstrap=""
if [[ ! -e "$enabled/$domain.conf" ]]; then
  bootstrap="$available/$domain.acme.conf"
  echo "site $domain is not enabled yet: serving the challenge from a temporary site"
  if [[ "$dry_run" == "1" ]]; then
    echo "+ write $bootstrap and link it into $enabled"
  else
    mkdir -p "$available" "$enabled"
    cat >"$bootstrap" <<CONF
# Temporary, written by init-letsencrypt.sh while the certificate for $domain is issued.
server {
    listen 80;
    listen [::]:80;
    server_name $domain;
    location ^~ /.well-known/acme-challenge/ {
        root $acme_root;
        default_type text/plain;
    }
    location / {
        return 404;
    }
}
CONF
    ln -sfn "$bootstrap" "$enabled/$domain.acme.conf"
    trap 'rm -f "$enabled/$domain.acme.conf" "$bootstrap"; bash -c "$reload" || true' EXIT
  fi
  apply_nginx
fi

run "${cmd[@]}"

if [[ -n "$bootstrap" ]]; then
  echo "next: ./scripts/generate-nginx-conf.sh $domain_input && $reload"
else
  echo "next: $reload"
fi
