#!/bin/sh
# Re-vendor the front-end files Liqaa serves from static/vendor/ (venues are offline: no CDN).
# Needs npm. Usage: sh scripts/vendor.sh
set -eu
BOOTSTRAP=5.3.9
ZXING_WASM=3.1.4
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

npm pack --silent "bootstrap@$BOOTSTRAP" >/dev/null
mkdir bootstrap && tar -xzf "bootstrap-$BOOTSTRAP.tgz" -C bootstrap
DEST="$ROOT/static/vendor/bootstrap"
mkdir -p "$DEST"
for f in css/bootstrap.min.css css/bootstrap.rtl.min.css js/bootstrap.bundle.min.js; do
  cp "bootstrap/package/dist/$f" "$DEST/"
done
cp bootstrap/package/LICENSE "$DEST/LICENSE"
echo "Bootstrap $BOOTSTRAP from npm (MIT)." > "$DEST/VERSION"

npm pack --silent "zxing-wasm@$ZXING_WASM" >/dev/null
mkdir zxing && tar -xzf "zxing-wasm-$ZXING_WASM.tgz" -C zxing
DEST="$ROOT/static/vendor/zxing-wasm"
mkdir -p "$DEST"
cp zxing/package/dist/iife/reader/index.js "$DEST/zxing-reader.iife.js"   # global: ZXingWASM
cp zxing/package/dist/reader/zxing_reader.wasm "$DEST/zxing_reader.wasm"
cp zxing/package/LICENSE "$DEST/LICENSE"
echo "zxing-wasm $ZXING_WASM from npm (MIT; the .wasm is zxing-cpp, Apache-2.0)." > "$DEST/VERSION"
ls -l "$ROOT/static/vendor/"*

# axe-core: the accessibility checks of tests/test_browser_axe.py (tests only, not served).
AXE_CORE=4.11.0
npm pack --silent "axe-core@$AXE_CORE" >/dev/null
mkdir axe && tar -xzf "axe-core-$AXE_CORE.tgz" -C axe
DEST="$ROOT/tests/vendor/axe-core"
mkdir -p "$DEST"
cp axe/package/axe.min.js axe/package/LICENSE "$DEST/"
echo "axe-core $AXE_CORE from npm (MPL-2.0). Used by the tests only, never served: sh scripts/vendor.sh" > "$DEST/VERSION"
ls -l "$DEST"
