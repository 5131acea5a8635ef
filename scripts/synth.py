#!/usr/bin/env python3
"""synth.py: a deterministic synthetic archive of news articles, as NDJSON for `khabar import`.

    python3 scripts/synth.py --count 20000 [--seed 1] [--body-words 120] > archive.ndjson

One article a line in the POST format: title, summary, body, lang, published_at (RFC 3339,
2019 to 2024, various offsets), tags (names), sources (names). No related, no slug.
Python 3 standard library only; the same options give the same bytes.

The shape is what matters for query plans:
- words: real Arabic words and generated letter strings, Zipf-distributed, some written with
  letter variants (Keheh, Farsi Yeh, hamza alefs, tashkeel, tatweel) that khabar must fold;
  about 3% of the articles are lang "en" with English text;
- tags: POPULAR_TAG on about a third of the articles, SECOND_TAG on about 10%, a few more
  common ones (1-5%), and many rare ones (thousands; each on a handful of articles);
  tag names are sometimes written in a variant spelling (one tag once folded);
- sources: 20, with a skewed (Zipf) distribution, one or two per article.

Imported by tests and the bench for the names below (POPULAR_TAG, rare_tag(i), SOURCES, ...).
"""
import argparse
import bisect
import random
import sys

# Tags and sources the tests and the bench refer to.
POPULAR_TAG = "سياسة"          # about 1/3 of the articles
POPULAR_TAG_VARIANT = "سیاسة"  # Farsi Yeh: the same tag once folded
SECOND_TAG = "اقتصاد"          # about 10%
SECOND_TAG_VARIANT = "إقتصاد"   # hamza alef: folds to the same key
MID_TAGS = [  # (name, variant or None, share of the articles)
    ("كوريا الشمالية", "کوریا الشمالیة", 0.05),
    ("الكرملين", None, 0.04),
    ("رياضة", None, 0.03),
    ("ثقافة", None, 0.02),
    ("تكنولوجيا", "تکنولوجیا", 0.015),
    ("صحة", None, 0.01),
]
RARE_TAGS_PER_ARTICLE = (0, 3)   # uniform in this range, inclusive
RARE_TAG_TARGET = 4              # average articles per rare tag
MIN_RARE_TAGS = 2000

SOURCES = ["تاس", "RT Arabic", "رويترز", "الجزيرة", "سكاي نيوز عربية", "فرانس 24",
           "بي بي سي عربي", "الأهرام", "الشرق الأوسط", "العربية", "سبوتنيك", "الأناضول",
           "وكالة الأنباء السعودية", "وام", "بترا", "سانا", "واس", "قنا", "كونا", "الخليج"]

# Real Arabic words (roots and common news words); the head of the Zipf distribution.
ARABIC_WORDS = """
في من على إلى عن مع أن التي الذي هذا هذه قال وقال الرئيس الحكومة وزير وزارة الخارجية
الدولة الدول العربية المتحدة الأمم مجلس الأمن رئيس الوزراء اليوم أمس العام الماضي الجديد
المصدر وكالة الأنباء الرسمية مصدر مسؤول مسؤولون بيان المتحدث باسم الكرملين موسكو روسيا
بوتين بيسكوف كوريا الشمالية الجنوبية الصين اليابان الولايات أمريكا واشنطن أوروبا الاتحاد
الأوروبي ألمانيا فرنسا بريطانيا لندن باريس برلين القاهرة مصر السعودية الرياض الإمارات
دبي أبوظبي قطر الدوحة الكويت البحرين عمان الأردن عمان لبنان بيروت سوريا دمشق العراق بغداد
فلسطين غزة القدس المغرب الرباط الجزائر تونس ليبيا السودان الخرطوم اليمن صنعاء تركيا أنقرة
إيران طهران الاقتصاد اقتصادية الاقتصادي النفط الغاز الأسعار السوق الأسواق البورصة الدولار
اليورو التضخم النمو البنك المركزي الفائدة الميزانية الاستثمار الاستثمارات الشركات الشركة
التجارة الصادرات الواردات الزراعة الصناعة الطاقة الكهرباء المياه التعليم الصحة المستشفى
الأطباء المرضى اللقاح الفيروس الوباء الجامعة الطلاب المدارس الثقافة الفن المعرض الكتاب
الرواية الشعر السينما المسرح الموسيقى الرياضة كرة القدم المنتخب الفريق المباراة البطولة
الدوري الكأس اللاعب المدرب الهدف الفوز الخسارة التعادل الملعب الجمهور الانتخابات البرلمان
النواب الحزب الأحزاب المعارضة الشعب المواطنين السكان المدينة القرية الحدود الجيش القوات
العسكرية الدفاع الهجوم الصواريخ الطائرات السفن الحرب السلام المفاوضات الاتفاق الاتفاقية
المعاهدة القمة الزيارة زيارة الاستعدادات جارية لزيارة اللقاء الاجتماع المؤتمر الصحفي
التصريحات أكد أعلن أشار أوضح كشف نفى رحب دعا طالب حذر أضاف تابع يذكر ذكرت أفادت نقلت
كما حيث بعد قبل خلال منذ حتى بين أمام وراء ضد نحو حول لدى عند غير كل بعض جميع أكثر أقل
كبير صغير جديد قديم أول آخر الأولى الأخيرة الثاني الثالث مليون مليار ألف مئة نسبة بالمئة
الأسبوع الشهر السنة الساعة الدقيقة صباح مساء يوم الاثنين الثلاثاء الأربعاء الخميس الجمعة
السبت الأحد كتب قرأ علم عمل درس سافر وصل غادر بدأ انتهى استمر ارتفع انخفض تراجع زاد
""".split()

# Variant spellings of some of the words above: what real feeds send.
VARIANT_SOURCES = ["الكرملين", "كوريا", "الشمالية", "الرئيس", "إلى", "أمريكا", "الكتاب",
                   "المملكة", "كبير", "الحكومة", "الاقتصاد", "الإمارات", "أكد", "الكويت"]

ENGLISH_WORDS = """
the of and to in a is that for on with as was by at from it an be this are which has have
said government minister president ministry foreign state news agency official statement
spokesman kremlin moscow russia korea north south china japan united states europe union
market oil gas prices bank central inflation growth budget investment company trade energy
water health hospital vaccine university students culture art exhibition book film music
football team match league cup player coach goal election parliament party opposition people
city border army forces defense peace talks agreement summit visit meeting conference
week month year day morning evening monday tuesday friday million billion percent new old
first last second third big small more less during after before between against about
""".split()

ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
TASHKEEL = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u064b"]
TATWEEL = "\u0640"
PUNCT = ["،", ".", ":", "؛", "."]

WINDOW_MAX = 4096         # longest window of a word stream (words)
EPOCH_FROM = 1546300800   # 2019-01-01T00:00:00Z
EPOCH_TO = 1735689599     # 2024-12-31T23:59:59Z
OFFSETS = [(0, "Z"), (0, "Z"), (3 * 3600, "+03:00"), (2 * 3600, "+02:00"), (4 * 3600, "+04:00"),
           (-5 * 3600, "-05:00")]


def variant_of(rng, word):
    """A spelling of word that khabar folds back to it (Keheh, Farsi Yeh, alef forms, marks)."""
    kind = rng.randrange(5)
    if kind == 0 and "ك" in word:
        return word.replace("ك", "ک")
    if kind == 1 and "ي" in word:
        return word.replace("ي", "ی")
    if kind == 2 and word[0] == "ا":
        return rng.choice("أإآ") + word[1:]
    if kind == 3 and len(word) > 2:
        i = rng.randrange(1, len(word))
        return word[:i] + TATWEEL + word[i:]
    # tashkeel after one or two letters
    chars = list(word)
    for _ in range(1 + rng.randrange(2)):
        i = rng.randrange(len(chars))
        chars[i] = chars[i] + rng.choice(TASHKEEL)
    return "".join(chars)


def generated_word(rng):
    """A pronounceable-looking string of Arabic letters, sometimes with the article or a suffix."""
    n = rng.choice((3, 3, 4, 4, 4, 5, 5, 6, 7))
    w = "".join(rng.choice(ARABIC_LETTERS) for _ in range(n))
    r = rng.random()
    if r < 0.2:
        w = "ال" + w
    elif r < 0.3:
        w = w + "ة"
    elif r < 0.35:
        w = w + "ات"
    return w


def build_vocabulary(rng, size=12000):
    """Arabic words in Zipf order (real words first), with variant spellings mixed in."""
    words = list(dict.fromkeys(ARABIC_WORDS))
    seen = set(words)
    while len(words) < size:
        w = generated_word(rng)
        if w not in seen:
            seen.add(w)
            words.append(w)
    # Variants: of the known words, and of one generated word in 20.
    out = []
    for i, w in enumerate(words):
        out.append(w)
        if w in VARIANT_SOURCES or (i >= len(ARABIC_WORDS) and i % 20 == 0):
            out.append(variant_of(rng, w))
    return out


def zipf_cum_weights(n, s=1.05):
    acc, cw = 0.0, []
    for i in range(n):
        acc += 1.0 / (i + 1) ** s
        cw.append(acc)
    return cw


def rare_tag(i):
    """The name of rare tag number i (deterministic, independent of the seed)."""
    # Two pseudo-words from the number: distinct for distinct i, Arabic letters only.
    letters = ARABIC_LETTERS
    a, b = [], []
    x = i + 1
    while x:
        x, r = divmod(x, len(letters))
        a.append(letters[r])
    y = (i * 7919 + 13) % (len(letters) ** 3)
    for _ in range(3):
        y, r = divmod(y, len(letters))
        b.append(letters[r])
    return "وسم " + "".join(b) + "".join(a)


def rare_tag_count(count):
    """How many rare tags an archive of count articles has."""
    mean = (RARE_TAGS_PER_ARTICLE[0] + RARE_TAGS_PER_ARTICLE[1]) / 2.0
    return max(MIN_RARE_TAGS, int(count * mean / RARE_TAG_TARGET))


class Synth:
    def __init__(self, seed=1, body_words=120, count=1000):
        self.rng = random.Random(seed)
        rng = self.rng
        self.body_words = max(1, body_words)
        self.count = count
        self.vocab = build_vocabulary(rng)
        self.vocab_cw = zipf_cum_weights(len(self.vocab))
        self.en_cw = zipf_cum_weights(len(ENGLISH_WORDS))
        # A long Zipf stream of words with punctuation now and then; bodies and summaries are
        # windows of it (one random number each instead of one per word).
        self.stream = self._stream(rng, self.vocab, self.vocab_cw, 1 << 18)
        self.title_stream = self._stream(rng, self.vocab, self.vocab_cw, 1 << 17, punct=False)
        self.en_stream = self._stream(rng, ENGLISH_WORDS, self.en_cw, 1 << 15, arabic=False)
        self.en_title_stream = self._stream(rng, ENGLISH_WORDS, self.en_cw, 1 << 13, arabic=False,
                                            punct=False)
        self.n_rare = rare_tag_count(count)
        self.rare_names = None  # made lazily: at a million articles there are many
        self.source_cw = zipf_cum_weights(len(SOURCES), s=1.1)
        self.source_total = self.source_cw[-1]

    @staticmethod
    def _stream(rng, words, cw, n, arabic=True, punct=True):
        picks = rng.choices(words, cum_weights=cw, k=n)
        marks = PUNCT if arabic else [",", ".", ".", ";"]
        i = 9
        while punct and i < n:
            picks[i] = picks[i] + rng.choice(marks)
            i += rng.randrange(7, 13)
        picks += picks[:WINDOW_MAX]  # windows never wrap
        return picks

    def _rare(self, i):
        if self.rare_names is None:
            self.rare_names = [rare_tag(k) for k in range(self.n_rare)]
        return self.rare_names[i]

    def article(self, byline=None):
        """One article as a JSON line (without the newline); byline (an author's slug, a
        section's slug) adds its authors and section."""
        r = self.rng.random
        en = r() < 0.03
        if en:
            stream, tstream = self.en_stream, self.en_title_stream
        else:
            stream, tstream = self.stream, self.title_stream
        span = len(stream) - WINDOW_MAX
        tspan = len(tstream) - WINDOW_MAX
        # A title is two windows of a stream without punctuation: (almost) never twice the same.
        i, j = int(r() * tspan), int(r() * tspan)
        title = " ".join(tstream[i:i + 2 + int(r() * 3)] + tstream[j:j + 3 + int(r() * 4)])
        if en:
            title = title.capitalize()
        summary = None
        if r() < 0.8:
            i = int(r() * span)
            summary = " ".join(stream[i:i + 12 + int(r() * 18)])
        left = self.body_words
        paras = []
        while left > 0:
            n = min(left, 25 + int(r() * 35)) if left >= 40 else left
            i = int(r() * span)
            paras.append(" ".join(stream[i:i + n]))
            left -= n
        body = "\\n".join(paras)

        tags = []
        if r() < 1 / 3:
            tags.append(POPULAR_TAG_VARIANT if r() < 0.1 else POPULAR_TAG)
        if r() < 0.10:
            tags.append(SECOND_TAG_VARIANT if r() < 0.1 else SECOND_TAG)
        for name, variant, share in MID_TAGS:
            if r() < share:
                tags.append(variant if variant and r() < 0.3 else name)
        lo, hi = RARE_TAGS_PER_ARTICLE
        n_rare = self.n_rare
        for _ in range(lo + int(r() * (hi - lo + 1))):
            tags.append(self._rare(int(r() * n_rare)))
        tags = list(dict.fromkeys(tags))  # the same rare tag picked twice: once

        s1 = SOURCES[bisect.bisect(self.source_cw, r() * self.source_total)]
        sources = '"' + s1 + '"'
        if r() >= 0.7:
            s2 = SOURCES[bisect.bisect(self.source_cw, r() * self.source_total)]
            if s2 != s1:
                sources += ',"' + s2 + '"'

        t = EPOCH_FROM + int(r() * (EPOCH_TO - EPOCH_FROM + 1))
        off, suffix = OFFSETS[int(r() * len(OFFSETS))]
        published = _rfc3339(t + off, suffix)

        # No word, tag or source holds '"', '\\' or a control character: plain quoting is
        # valid JSON (checked once in self_check).
        return "".join((
            '{"title":"', title, '"',
            ',"summary":"' + summary + '"' if summary is not None else "",
            ',"body":"', body, '","lang":"', "en" if en else "ar", '","published_at":"', published,
            '","tags":[', ",".join(['"' + t + '"' for t in tags]), '],"sources":[', sources, "]",
            ',"authors":["%s"],"section":"%s"' % byline if byline else "", "}"))

    def self_check(self):
        bad = [w for w in self.vocab + ENGLISH_WORDS + SOURCES + [POPULAR_TAG, SECOND_TAG]
               if any(c in w for c in '"\\') or any(ord(c) < 32 for c in w)]
        if bad:
            raise SystemExit("synth.py: words needing JSON escapes: %r" % bad[:5])


_DAYS_CACHE = {}


def _rfc3339(local_seconds, suffix):
    """YYYY-MM-DDTHH:MM:SS<suffix> for seconds already shifted to the offset's local time."""
    days, secs = divmod(local_seconds, 86400)
    date = _DAYS_CACHE.get(days)
    if date is None:
        date = _civil(days)
        _DAYS_CACHE[days] = date
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return "%sT%02d:%02d:%02d%s" % (date, h, m, s, suffix)


def _civil(days):
    """Days since 1970-01-01 to YYYY-MM-DD (Howard Hinnant's algorithm)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return "%04d-%02d-%02d" % (y + (m <= 2), m, d)


def common_word():
    """A word in most Arabic articles (the same for every seed): not a stop word like في."""
    return "قال"


def words_per_article(body_words):
    """About how many words an Arabic article has: title, summary (on 80%), body."""
    return 7.5 + 0.8 * 20.5 + body_words


def word_with_share(share, body_words=120, seed=1):
    """A real Arabic word expected in about share of the Arabic articles (0 < share < 1)."""
    s = Synth(seed=seed, count=0)
    total = s.vocab_cw[-1]
    n = words_per_article(body_words)
    known = set(ARABIC_WORDS)
    best, best_d = None, None
    prev = 0.0
    for w, cw in zip(s.vocab, s.vocab_cw):
        p, prev = (cw - prev) / total, cw
        if w not in known or w.startswith("ال") or len(w) < 4:
            continue
        d = abs((1 - (1 - p) ** n) - share)
        if best_d is None or d < best_d:
            best, best_d = w, d
    return best


def rare_word(seed=1):
    """A word of the vocabulary's tail that the word stream of seed holds twice: in a handful
    of the articles of an archive made with that seed (about 2 * count * words / 2**18)."""
    s = Synth(seed=seed, count=0)
    counts = {}
    for w in s.stream:
        counts[w] = counts.get(w, 0) + 1
    return next(w for w in s.vocab[6000:] if counts.get(w) == 2 and not w.startswith("ال")
                and all("\u0621" <= ch <= "\u064a" for ch in w))


def byline(n):
    """The author and section of the n-th article (from 1) with bylines: author-1 on a tenth,
    author-2 to author-300 the rest; section-1 on a third, section-2 to section-12 the rest."""
    return ("author-%d" % (1 if n % 10 == 0 else 2 + n % 299),
            "section-%d" % (1 if n % 3 == 0 else 2 + n % 11))


def main(argv=None):
    p = argparse.ArgumentParser(description="Deterministic synthetic news articles as NDJSON.")
    p.add_argument("--count", type=int, default=1000, help="articles to write (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--body-words", type=int, default=120, help="words per body (default 120)")
    p.add_argument("--bylines", action="store_true",
                   help="give each article an author and a section (author-1 on a tenth, section-1 on a third)")
    a = p.parse_args(argv)
    if a.count < 0:
        p.error("--count must not be negative")
    s = Synth(seed=a.seed, body_words=a.body_words, count=a.count)
    s.self_check()
    out = sys.stdout
    buf = []
    for i in range(a.count):
        buf.append(s.article(byline(i + 1) if a.bylines else None))
        if len(buf) >= 2000:
            out.write("\n".join(buf) + "\n")
            buf = []
    if buf:
        out.write("\n".join(buf) + "\n")
    out.flush()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(0)
