#!/bin/sh
# web-fonts.sh: makes the frontend's web fonts (web/fonts/*.woff2) from Debian's Noto fonts.
#
# Noto Naskh Arabic for Arabic and Noto Sans for Latin, regular and bold, each cut down to
# the characters a news page uses (the subsets' unicode-range is in web/style.css) and
# compressed as WOFF2, so that every browser renders the pages with the same typeface.
# Needs fonts-noto-core, python3-fonttools and python3-brotli (scripts/install-deps.sh fonts-noto-core python3-fonttools python3-brotli).
# The results are committed: the build and the tests do not run this.
set -eu
cd "$(dirname "$0")/.."
src=${NOTO_DIR:-/usr/share/fonts/truetype/noto}
out=web/fonts
mkdir -p "$out"

# Arabic letters and marks, Arabic presentation forms, and the punctuation and digits an
# Arabic text mixes in; Latin: Basic Latin, Latin-1, general punctuation.
arabic='U+0600-06FF,U+0750-077F,U+08A0-08FF,U+FB50-FDFF,U+FE70-FEFF,U+200C-200F,U+0020-0040,U+00A0,U+00AB,U+00BB,U+2010-2027,U+2066-2069'
latin='U+0000-00FF,U+0131,U+0152-0153,U+02C6,U+02DA,U+02DC,U+2000-206F,U+20AC,U+2122'

subset() {
    /usr/bin/python3 -m fontTools.subset "$src/$1.ttf" --unicodes="$2" --flavor=woff2 \
        --layout-features='*' --output-file="$out/$1.woff2"
    echo "$out/$1.woff2: $(wc -c <"$out/$1.woff2") bytes"
}
subset NotoNaskhArabic-Regular "$arabic"
subset NotoNaskhArabic-Bold "$arabic"
subset NotoSans-Regular "$latin"
subset NotoSans-Bold "$latin"
zcat -f /usr/share/doc/fonts-noto-core/copyright >"$out/COPYRIGHT"
