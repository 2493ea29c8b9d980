#!/usr/bin/env bash
# Expands nginx/nginx.conf.template for one domain and enables the site:
#   sudo ./scripts/generate-nginx-conf.sh my-products.ru
#   sudo ./scripts/generate-nginx-conf.sh мои-товары.рф
# An internationalised domain is converted to punycode (xn--…) for server_name, the
# certificate paths and the file name. Then check and reload: sudo nginx -t && sudo systemctl reload nginx
#
# Environment (defaults in brackets):
#   NGINX_SITES_AVAILABLE [/etc/nginx/sites-available]  where the site file is written
#   NGINX_SITES_ENABLED   [/etc/nginx/sites-enabled]    where the symlink to it goes
#   EVOSYNC_UPSTREAM      [127.0.0.1:8080]              the web process (host:port)
#   ACME_ROOT             [/var/www/certbot]            certbot's webroot
#   NGINX_TEMPLATE        [<repo>/nginx/nginx.conf.template]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/domain.sh
. "$here/lib/domain.sh"

usage() {
  echo "usage: $0 DOMAIN" >&2
  exit 2
}
[[ $# -eq 1 && -n "$1" && "$1" != -* ]] || usage

domain_unicode="$1"
domain="$(domain_to_ascii "$domain_unicode")"
available="${NGINX_SITES_AVAILABLE:-/etc/nginx/sites-available}"
enabled="${NGINX_SITES_ENABLED:-/etc/nginx/sites-enabled}"
upstream="${EVOSYNC_UPSTREAM:-127.0.0.1:8080}"
acme_root="${ACME_ROOT:-/var/www/certbot}"
template="${NGINX_TEMPLATE:-$here/../nginx/nginx.conf.template}"

# The values go into sed replacements and nginx syntax: refuse anything that could break out.
upstream_re='^[][A-Za-z0-9.:_-]+$'
if [[ ! "$upstream" =~ $upstream_re ]]; then
  echo "error: EVOSYNC_UPSTREAM must be host:port, got '$upstream'" >&2
  exit 2
fi
if [[ ! "$acme_root" =~ ^/[A-Za-z0-9._/-]*$ ]]; then
  echo "error: ACME_ROOT must be an absolute path of plain characters, got '$acme_root'" >&2
  exit 2
fi
if [[ ! -r "$template" ]]; then
  echo "error: template not found: $template" >&2
  exit 1
fi
# The Unicode form only appears in a comment; strip what could end it.
comment_name="${domain_unicode//[$'\n\r|\\&']/}"
upstream_name="${domain//[.-]/_}"

mkdir -p "$available" "$enabled"
target="$available/$domain.conf"
tmp="$(mktemp "$available/.$domain.conf.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
# Only these placeholders are replaced; nginx's own variables ($host, $scheme…) stay as they are.
sed -e "s|\${DOMAIN_UNICODE}|$comment_name|g" \
  -e "s|\${DOMAIN}|$domain|g" \
  -e "s|\${UPSTREAM_NAME}|$upstream_name|g" \
  -e "s|\${UPSTREAM}|$upstream|g" \
  -e "s|\${ACME_ROOT}|$acme_root|g" \
  "$template" >"$tmp"
chmod 644 "$tmp"
mv -f "$tmp" "$target"
trap - EXIT
ln -sfn "$target" "$enabled/$domain.conf"

echo "wrote $target"
echo "enabled $enabled/$domain.conf -> $target"
if [[ "$domain" != "$domain_unicode" ]]; then
  echo "server_name $domain (from $domain_unicode)"
fi
echo "next: nginx -t && systemctl reload nginx"
