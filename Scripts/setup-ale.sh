#!/usr/bin/env bash
# Sets up the Arcade Learning Environment for pixel-dqn's Atari tasks, once, into a git-ignored
# folder (.ale/ beside this repository's Package.swift, or $PIXEL_DQN_ALE_DIR):
#   1. installs what a Debian machine lacks (cmake, a C++ compiler, zlib1g-dev; python3-pip only
#      to download the source), through sudo when not root;
#   2. downloads ale-py's pinned source distribution from PyPI (the C++ sources and the ROMs);
#   3. builds ALE's C++ library (no Python, no SDL) and Native/ale/ale_shim.cpp against it into
#      .ale/lib/libpixeldqn-ale.so, which pixel-dqn loads at run time;
#   4. copies the ROMs to .ale/roms/.
# A second call finds each step done and returns at once (the shim is rebuilt when its source
# changed). Every file is written under a temporary name and renamed when complete.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
ale_version=0.12.1
dir="${PIXEL_DQN_ALE_DIR:-$root/.ale}"
shim_src="$root/Native/ale/ale_shim.cpp"
say() { echo "setup-ale: $*" >&2; }

mkdir -p "$dir"
shim_stamp="$(sha256sum "$shim_src" | cut -c1-16)-$ale_version"
if [ -f "$dir/lib/libpixeldqn-ale.so" ] && [ "$(cat "$dir/lib/shim.stamp" 2>/dev/null)" = "$shim_stamp" ] \
   && [ -f "$dir/roms/pong.bin" ] && [ -f "$dir/roms/MD5SUMS" ]; then
    exit 0
fi

# 1. System packages.
need_pip=0
python3 -m pip --version >/dev/null 2>&1 || need_pip=1
if command -v dpkg-query >/dev/null 2>&1; then
    packages=(cmake g++ make zlib1g-dev)
    [ $need_pip = 1 ] && packages+=(python3-pip)
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        sudo=()
        if [ "$(id -u)" != 0 ]; then
            command -v sudo >/dev/null 2>&1 || { say "${missing[*]} must be installed, and this needs root or sudo"; exit 1; }
            sudo=(sudo)
        fi
        "${sudo[@]}" apt-get update -qq >&2
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
    fi
fi
for tool in cmake g++ make; do
    command -v "$tool" >/dev/null 2>&1 || { say "$tool is needed to build ALE"; exit 1; }
done

# 2. The source distribution (C++ sources and ROMs).
archive="$dir/download/ale_py-$ale_version.tar.gz"
if [ ! -f "$archive" ]; then
    say "downloading ale-py $ale_version's source distribution"
    rm -rf "$dir/download.tmp"
    python3 -m pip download --quiet --no-deps --no-binary ale-py "ale-py==$ale_version" -d "$dir/download.tmp" >&2 \
        || { say "could not download ale-py==$ale_version from PyPI"; exit 1; }
    mkdir -p "$dir/download"
    mv "$dir/download.tmp/ale_py-$ale_version.tar.gz" "$archive"
    rm -rf "$dir/download.tmp"
fi

# 3a. ALE's C++ library.
prefix="$dir/prefix"
if [ ! -f "$prefix/lib/libale.a" ] || [ ! -f "$prefix/include/ale/ale_interface.hpp" ]; then
    say "building ALE $ale_version (about a minute on 2 cores)"
    rm -rf "$dir/src" "$dir/build" "$prefix.tmp"
    mkdir -p "$dir/src"
    tar -xzf "$archive" -C "$dir/src" --strip-components=1
    cmake -S "$dir/src" -B "$dir/build" -DBUILD_PYTHON_LIB=OFF -DBUILD_CPP_LIB=ON -DSDL_SUPPORT=OFF \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_POSITION_INDEPENDENT_CODE=ON -DCMAKE_INSTALL_PREFIX="$prefix.tmp" >&2
    cmake --build "$dir/build" -j "$(nproc)" >&2
    cmake --install "$dir/build" >&2
    rm -rf "$prefix"
    mv "$prefix.tmp" "$prefix"
fi
libdir="$prefix/lib"
[ -f "$libdir/libale.a" ] || libdir="$prefix/lib64"

# 4. The ROMs, from the same package, with their MD5 sums.
if [ ! -f "$dir/roms/pong.bin" ] || [ ! -f "$dir/roms/MD5SUMS" ]; then
    [ -d "$dir/src/src/ale/python/roms" ] || tar -xzf "$archive" -C "$dir" --one-top-level=src.tmp --strip-components=1
    roms_src="$dir/src/src/ale/python/roms"
    [ -d "$roms_src" ] || roms_src="$dir/src.tmp/src/ale/python/roms"
    rm -rf "$dir/roms.tmp"
    mkdir -p "$dir/roms.tmp"
    cp "$roms_src"/*.bin "$dir/roms.tmp/"
    # ALE knows a game by its ROM's MD5 and ends the process on any other file: pixel-dqn checks
    # a ROM against this list before ALE loads it.
    (cd "$dir/roms.tmp" && md5sum -- *.bin > MD5SUMS)
    rm -rf "$dir/roms" "$dir/src.tmp"
    mv "$dir/roms.tmp" "$dir/roms"
fi

# 3b. pixel-dqn's shim, one shared library with ALE inside.
say "building the shim (Native/ale/ale_shim.cpp)"
mkdir -p "$dir/lib"
g++ -O2 -std=c++17 -shared -fPIC -I "$prefix/include" "$shim_src" -o "$dir/lib/libpixeldqn-ale.so.tmp" \
    -Wl,--whole-archive "$libdir/libale.a" -Wl,--no-whole-archive -lz -lpthread
mv "$dir/lib/libpixeldqn-ale.so.tmp" "$dir/lib/libpixeldqn-ale.so"
echo "$shim_stamp" > "$dir/lib/shim.stamp.tmp" && mv "$dir/lib/shim.stamp.tmp" "$dir/lib/shim.stamp"
say "ready: $(ls "$dir/roms" | grep -c "\.bin$") ROMs in $dir/roms"
