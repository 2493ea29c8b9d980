# shellcheck shell=bash
# Shared by the TLS and nginx scripts: a domain as typed (Cyrillic included) → its ASCII
# (punycode) form, which is what nginx's server_name, certbot and the certificate paths use.

# IDN2_BIN: the idn2 program to try first (tests point it elsewhere to exercise the fallback).
IDN2_BIN="${IDN2_BIN:-idn2}"

# Prints the ASCII form of "$1", or fails with a message on stderr.
domain_to_ascii() {
  local input="$1" ascii=""
  if [[ -z "$input" ]]; then
    echo "error: no domain given" >&2
    return 2
  fi
  if command -v "$IDN2_BIN" >/dev/null 2>&1; then
    ascii="$("$IDN2_BIN" --quiet -- "$input" 2>/dev/null || true)"
  fi
  if [[ -z "$ascii" ]] && command -v node >/dev/null 2>&1; then
    # Node's WHATWG URL implements UTS #46 (the same mapping browsers use): lowercases,
    # normalises and punycodes each label; it returns '' for an invalid domain.
    ascii="$(node -e 'process.stdout.write(require("node:url").domainToASCII(process.argv[1]))' "$input" 2>/dev/null || true)"
  fi
  if [[ -z "$ascii" ]]; then
    echo "error: cannot convert '$input' to ASCII (install idn2, or node, or pass the xn-- form)" >&2
    return 2
  fi
  ascii="${ascii,,}"
  ascii="${ascii%.}"
  if [[ ! "$ascii" =~ ^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$ ]]; then
    echo "error: '$input' is not a valid domain name (ASCII form: '$ascii')" >&2
    return 2
  fi
  printf '%s\n' "$ascii"
}
