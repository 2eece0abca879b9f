#!/usr/bin/env bash
# Builds and installs the Citus extension into the machine's PostgreSQL, once.
#
# Citus is a test-time dependency of the PostgreSQL store (the tests run the store and the
# conformance suite on a coordinator with two workers, docs/scaling.md). It is in no package
# registry this project can reach, so it is built from the source kept beside the repository:
# `../shared/vendor/citus/` (a `git archive` of citus v13.2.2 and a patch for PostgreSQL
# 15.14+; see the README there). Nothing of Citus is committed here.
#
# What it does, each step skipped when already done:
#   1. the build packages (apt-get; needs root, as on this project's machines and CI);
#   2. checks the tarball's sha256;
#   3. unpacks it into a temporary directory, applies the patch when PostgreSQL's headers
#      already declare have_createdb_privilege() (15.14+), configures, builds, installs;
#   4. writes a stamp beside citus.control naming the tarball's sha256 and the PostgreSQL
#      version: a later run with the same stamp does nothing (about 100 s saved on 2 cores).
#
# Usage: scripts/citus.sh [--check]
#   --check   exit 0 when the installed Citus matches the source, 1 otherwise; build nothing
# Environment:
#   CITUS_SOURCE   directory with citus-13.2.2.tar.gz and the patch (default ../shared/vendor/citus)
#   PG_CONFIG      the pg_config of the PostgreSQL to build against (default: on PATH)
# Exit codes: 0 installed (or already was), 1 --check found no matching build, 2 bad usage or
# a missing/altered source, 3 the build failed.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
source_dir=${CITUS_SOURCE:-$repo/../shared/vendor/citus}
pg_config=${PG_CONFIG:-pg_config}
version=13.2.2
tarball=citus-$version.tar.gz
sha256=cc5fb2bc63b877065796b362d3335c94110ef22869d0590f84960bb76c2945c4
patch_file=pg15.20-have_createdb_privilege.patch
packages=(postgresql-server-dev-15 liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev
  libpam0g-dev libreadline-dev make gcc patch)

check_only=false
case "${1:-}" in
  --check) check_only=true ;;
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  "") ;;
  *) echo "citus.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
esac

say() { printf 'citus.sh: %s\n' "$*" >&2; }

stamp_text() {
  printf 'citus %s from %s (sha256 %s) for %s\n' "$version" "$tarball" "$sha256" "$("$pg_config" --version)"
}

installed() {
  command -v "$pg_config" >/dev/null || return 1
  local stamp
  stamp="$("$pg_config" --sharedir)/extension/citus.alga-build"
  [[ -f "$("$pg_config" --pkglibdir)/citus.so" && -f "$stamp" && "$(cat "$stamp")" == "$(stamp_text)" ]]
}

if installed; then
  say "Citus $version is already installed for $("$pg_config" --version); nothing to do"
  exit 0
fi
if $check_only; then
  say "no matching Citus $version build is installed"
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  say "installing build packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet: update once, only when the install needs it.
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null
  }
fi

[[ -f "$source_dir/$tarball" ]] || { say "$source_dir/$tarball not found (set CITUS_SOURCE)"; exit 2; }
actual=$(sha256sum "$source_dir/$tarball" | cut -d' ' -f1)
[[ "$actual" == "$sha256" ]] || { say "$source_dir/$tarball has sha256 $actual, expected $sha256"; exit 2; }

build=$(mktemp -d -t alga-citus-build.XXXXXX)
trap 'rm -rf "$build"' EXIT
tar xzf "$source_dir/$tarball" -C "$build"
cd "$build"
# PostgreSQL 15.14+ exports have_createdb_privilege(); Citus 13.2.2 defines a static copy,
# which no longer compiles there. Older 15.x need Citus's copy, so patch only when needed.
if grep -q 'have_createdb_privilege' "$("$pg_config" --includedir-server)/commands/dbcommands.h"; then
  [[ -f "$source_dir/$patch_file" ]] || { say "$source_dir/$patch_file not found"; exit 2; }
  patch -p1 -s < "$source_dir/$patch_file"
fi
started=$(date +%s)
say "building Citus $version in $build (about 100 s on 2 cores)"
{
  ./configure --without-libcurl PG_CONFIG="$pg_config" &&
    make -j"$(nproc)" &&
    make install
} >"$build/build.log" 2>&1 || {
  tail -40 "$build/build.log" >&2
  say "the build failed (last lines above)"
  exit 3
}
stamp_text >"$("$pg_config" --sharedir)/extension/citus.alga-build"
say "Citus $version installed in $(( $(date +%s) - started )) s"
