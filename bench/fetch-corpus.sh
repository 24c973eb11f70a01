#!/bin/sh
# Fetches the benchmark corpus: Debian source packages of network servers, unpacked into
# bench/.cache/<package>-<version>/ (git-ignored; never commit it).
#
# Usage: sudo bench/fetch-corpus.sh [PACKAGE...]
#   default packages: nginx redis haproxy curl memcached libwebsockets mosquitto lighttpd
#
# Needs root the first time: it adds a deb-src entry mirroring the system's `deb` entry
# (/etc/apt/sources.list.d/connlint-bench-src.sources), runs apt-get update and installs
# dpkg-dev (apt-get source needs dpkg-source). Packages already unpacked are skipped.
set -eu

cd "$(dirname "$0")"
CACHE="$PWD/.cache"
PACKAGES="${*:-nginx redis haproxy curl memcached libwebsockets mosquitto lighttpd}"
SRC_LIST=/etc/apt/sources.list.d/connlint-bench-src.sources

has_deb_src() {
  grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}

if ! has_deb_src; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # deb822: copy every stanza of the Debian sources, with Types: deb-src.
    sed -e 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources >"$SRC_LIST"
  elif [ -f /etc/apt/sources.list ]; then
    # one-line format: deb ... -> deb-src ...
    sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list >"${SRC_LIST%.sources}.list"
  else
    echo "fetch-corpus: no Debian apt source found to copy a deb-src entry from" >&2
    exit 1
  fi
  echo "fetch-corpus: added deb-src entry ($SRC_LIST); running apt-get update" >&2
  apt-get update -qq
fi

command -v dpkg-source >/dev/null || apt-get install -y -qq --no-install-recommends dpkg-dev

mkdir -p "$CACHE"
cd "$CACHE"
for pkg in $PACKAGES; do
  if ls -d "$pkg"-[0-9]*/ >/dev/null 2>&1; then
    echo "fetch-corpus: $pkg already unpacked, skipped" >&2
    continue
  fi
  echo "fetch-corpus: fetching $pkg" >&2
  # The newest version can be missing from a mirror (a security update still propagating):
  # fall back to the other versions apt knows, newest first.
  ok=
  for spec in "$pkg" $(apt-cache showsrc "$pkg" | sed -n 's/^Version: /'"$pkg"'=/p' | sort -rV); do
    if apt-get source -qq "$spec"; then ok=1; break; fi
    echo "fetch-corpus: apt-get source $spec failed, trying an older version" >&2
  done
  [ -n "$ok" ] || { echo "fetch-corpus: could not fetch $pkg (run as root? apt-get update?)" >&2; exit 1; }
done
# The tarballs are not needed once unpacked, nor quilt's copies of unpatched files (.pc/), which
# a checkout would not have and which would count some files twice.
rm -f ./*.dsc ./*.tar.* ./*.diff.gz
rm -rf ./*/.pc
# Make the cache its own repository root, as a user's checkout would be: connlint honours
# .gitignore files up to the repository root, and the `bench/.cache/` line of our own .gitignore
# would otherwise hide the whole corpus.
[ -e .git ] || git init -q .
ls -d */
