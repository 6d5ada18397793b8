#!/usr/bin/env bash
# The Debian packages the browser and PDF tests (and `zwgk report --pdf`) need:
# Chromium, a CJK font (without one every Chinese character is a box) and
# pdftoppm; PostgreSQL's server binaries, which the PostgreSQL tests run
# as a throwaway cluster of their own (tests/pg.py); and redis-server, the
# broker the distributed tests start on loopback (tests/redis.py). Installs what is missing
# when run as root, else says what to install in one line and fails. Quick
# and silent when everything is there.
set -euo pipefail

# initdb and pg_ctl of one version: Debian keeps them off PATH, in
# /usr/lib/postgresql/<version>/bin.
have_postgres() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && return 0
  done
  command -v initdb >/dev/null && command -v pg_ctl >/dev/null
}

# The Redis server binary (Debian's redis-server package; it need not run as a service).
have_redis() {
  command -v redis-server >/dev/null
}

missing=()
if [[ -n "${ZWGK_CHROMIUM:-}" ]]; then
  command -v "$ZWGK_CHROMIUM" >/dev/null || {
    echo "system-deps: ZWGK_CHROMIUM=$ZWGK_CHROMIUM is not an executable" >&2
    exit 1
  }
elif ! command -v chromium >/dev/null && ! command -v chromium-browser >/dev/null; then
  missing+=(chromium)
fi
if ! command -v fc-list >/dev/null; then
  missing+=(fontconfig fonts-noto-cjk)
elif ! fc-list :lang=zh family | grep -q .; then
  missing+=(fonts-noto-cjk)
fi
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)

[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "system-deps: missing ${missing[*]}: run 'apt-get install -y --no-install-recommends ${missing[*]}' as root" >&2
  exit 1
fi

echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
install() { apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
# Refresh the package lists only when they do not know every package, or when
# they are stale (the install fails on a download that is no longer there).
updated=no
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq >&2
  updated=yes
fi
if ! install; then
  [[ $updated == no ]] || { echo "system-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
  apt-get update -qq >&2
  install || { echo "system-deps: apt-get install ${missing[*]} failed" >&2; exit 1; }
fi

still=()
command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
  || [[ -n "${ZWGK_CHROMIUM:-}" ]] || still+=(chromium)
fc-list :lang=zh family 2>/dev/null | grep -q . || still+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null || still+=(poppler-utils)
have_postgres || still+=(postgresql)
have_redis || still+=(redis-server)
if [[ ${#still[@]} -gt 0 ]]; then
  echo "system-deps: still missing after apt-get install: ${still[*]}" >&2
  exit 1
fi
