#!/usr/bin/env bash
# Makes TorchSharp's native library load on systems whose libstdc++ predates GCC 13.
#
# TorchSharp 0.107's libLibTorchSharp.so needs GLIBCXX_3.4.32 for one symbol,
# std::ios_base_library_init(). Where the system libstdc++ lacks that version (Debian 12), this
# script patches every libLibTorchSharp.so below the given directories: it marks the version need
# weak, clears the symbol's version, and adds as DT_NEEDED a tiny library that defines the symbol.
# Where libstdc++ is new enough, or not on Linux, it does nothing. Safe to run again.
#
# usage: torchsharp-compat.sh DIR [DIR...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/torchsharp-compat"
version=GLIBCXX_3.4.32
shim=libalpt_iosinit.so
symbol=_ZSt21ios_base_library_initv

[ "$(uname -s)" = Linux ] || exit 0

libs=()
for dir in "$@"; do
  [ -d "$dir" ] || continue
  while IFS= read -r -d '' lib; do libs+=("$lib"); done \
    < <(find "$dir" -name libLibTorchSharp.so -type f -print0)
done
[ "${#libs[@]}" -gt 0 ] || exit 0

libstdcxx=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64|libstdc\+\+\.so\.6 .*AArch64/ {print $NF; exit}')
[ -n "$libstdcxx" ] || libstdcxx=$(g++ -print-file-name=libstdc++.so.6 2>/dev/null || true)
if [ -z "$libstdcxx" ] || [ ! -e "$libstdcxx" ]; then
  echo "torchsharp-compat: warning: cannot find the system libstdc++.so.6; leaving TorchSharp unpatched" >&2
  exit 0
fi
if grep -qa "$version" "$libstdcxx"; then
  exit 0 # new enough: nothing to do
fi

need_tool() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "torchsharp-compat: installing $2 (needed to patch TorchSharp for this system's libstdc++)" >&2
    (apt-get install -y -qq "$2" >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$2" >/dev/null 2>&1; }) || true
  fi
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "torchsharp-compat: error: $libstdcxx lacks $version, which TorchSharp's native library needs;" \
       "patching it needs '$1' (Debian package '$2'): install it, e.g. 'sudo apt-get install $2'." >&2
  exit 1
}
need_tool patchelf patchelf
need_tool g++ g++

# Build the two helpers once per checkout, beside the sources, keyed by their content.
cache="$here/../.build-cache/torchsharp-compat"
mkdir -p "$cache"
key=$(cat "$src/weaken_verneed.c" "$src/ios_base_library_init.cpp" | cksum | cut -d' ' -f1)
weaken="$cache/weaken_verneed-$key"
shimlib="$cache/$shim-$key"
if [ ! -x "$weaken" ]; then
  gcc -O2 -o "$weaken.tmp.$$" "$src/weaken_verneed.c" && mv "$weaken.tmp.$$" "$weaken"
fi
if [ ! -f "$shimlib" ]; then
  g++ -O2 -shared -fPIC -Wl,-soname,$shim -o "$shimlib.tmp.$$" "$src/ios_base_library_init.cpp" && mv "$shimlib.tmp.$$" "$shimlib"
fi

for lib in "${libs[@]}"; do
  dir=$(dirname "$lib")
  cmp -s "$shimlib" "$dir/$shim" || cp "$shimlib" "$dir/$shim"
  if patchelf --print-needed "$lib" | grep -qx "$shim"; then
    continue # already patched
  fi
  # Work on a private copy: the output file may be a hard link into the NuGet cache.
  tmp="$lib.alpt-patch.$$"
  cp "$lib" "$tmp"
  rc=0; "$weaken" "$tmp" "$version" || rc=$?
  if [ "$rc" = 3 ]; then rm -f "$tmp"; continue; fi # this build of the library does not need it
  [ "$rc" = 0 ] || { rm -f "$tmp"; exit 1; }
  patchelf --clear-symbol-version "$symbol" "$tmp"
  patchelf --add-needed "$shim" "$tmp"
  mv -f "$tmp" "$lib"
  echo "torchsharp-compat: patched $lib for $libstdcxx (no $version)"
done
