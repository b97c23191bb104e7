#!/usr/bin/env bash
# Prepares a newer glibc loader for the Chroma server bundled with the `chromadb` npm package.
#
# The native module chromadb-js-bindings-linux-x64-gnu needs glibc 2.39; Debian 12 has 2.36. This
# downloads libc6 from Debian's trixie suite into a private cache folder (never touching the system's
# apt configuration or installed packages) and prints the launch prefix to put before the node binary:
#
#   <cache>/root/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 --library-path <cache>/root/usr/lib/x86_64-linux-gnu:<system libs>
#
# Idempotent: a second run with the loader already in place only prints the prefix.
# Usage: bash scripts/prepare-chroma-loader.sh [--json]   (--json prints the prefix as a JSON array)
# Env:   CHROMA_LOADER_DIR (default <repo>/.cache/chroma-loader), CHROMA_LOADER_MIRROR (default: the
#        host of the system's Debian mirror), CHROMA_LOADER_SUITE (default trixie).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${CHROMA_LOADER_DIR:-$repo/.cache/chroma-loader}"
suite="${CHROMA_LOADER_SUITE:-trixie}"
root="$dir/root"
# trixie is merged-/usr: libc and the loader live under usr/lib.
libdir="$root/usr/lib/x86_64-linux-gnu"
loader="$libdir/ld-linux-x86-64.so.2"
# System library folders stay on the path (libstdc++, libgcc_s), after the newer libc.
libpath="$libdir:/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu"

print_prefix() {
  if [[ "${1:-}" == "--json" ]]; then
    printf '["%s","--library-path","%s"]\n' "$loader" "$libpath"
  else
    printf '%s --library-path %s\n' "$loader" "$libpath"
  fi
}

if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "prepare-chroma-loader: only needed on Linux x86_64 (this is $(uname -s)-$(uname -m))" >&2
  exit 0
fi

host_glibc="$(getconf GNU_LIBC_VERSION | awk '{print $2}')"
if [[ "$(printf '%s\n2.39\n' "$host_glibc" | sort -V | head -1)" == "2.39" ]]; then
  echo "prepare-chroma-loader: host glibc $host_glibc is new enough; no prefix needed" >&2
  exit 0
fi

mkdir -p "$dir"
# Test workers may call this at the same time: one prepares, the others wait and reuse.
exec 9>"$dir/.lock"
flock 9

if [[ -x "$loader" && -f "$dir/.ready" ]]; then
  print_prefix "${1:-}"
  exit 0
fi

mirror="${CHROMA_LOADER_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  # The first active Debian URI of the system's sources (deb822 "URIs:" or one-line "deb ..."), comments skipped.
  mirror="$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
    | grep -E '^[[:space:]]*(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?( |$)' \
    | grep -v security | head -1 | sed 's:/*[[:space:]]*$::' || true)"
fi
if [[ -z "$mirror" ]]; then
  echo "prepare-chroma-loader: no Debian mirror found in the system's apt sources; set CHROMA_LOADER_MIRROR to one" >&2
  exit 1
fi
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

apt_dir="$dir/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/preferences.d" "$dir/debs"
cat >"$apt_dir/sources.list" <<EOF
deb [signed-by=$keyring] $mirror $suite main
EOF

apt_opts=(
  -o "Dir::Etc::sourcelist=$apt_dir/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::Etc::preferences=/dev/null"
  -o "Dir::Etc::preferencesparts=$apt_dir/preferences.d"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Dir::State::status=/dev/null"
  -o "APT::Architecture=amd64"
  -o "APT::Sandbox::User=root"
  -o "Debug::NoLocking=1"
  -q
)

echo "prepare-chroma-loader: fetching $suite package lists from $mirror into $apt_dir" >&2
apt-get "${apt_opts[@]}" --error-on=any update >&2

cd "$dir/debs"
rm -f ./*.deb
apt-get "${apt_opts[@]}" download libc6 >&2

rm -rf "$root.tmp"
mkdir -p "$root.tmp"
for deb in ./*.deb; do
  dpkg-deb -x "$deb" "$root.tmp"
done
rm -rf "$root"
mv "$root.tmp" "$root"

if [[ ! -x "$loader" ]]; then
  echo "prepare-chroma-loader: $loader not found in the extracted libc6" >&2
  exit 1
fi
"$loader" --version | head -1 >&2
# Only the extracted libc is needed from now on; the package lists and .deb are ~30 MB.
rm -rf "$apt_dir" "$dir/debs"
touch "$dir/.ready"
print_prefix "${1:-}"
