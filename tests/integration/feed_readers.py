"""feed_readers.py: the feed and sitemap documents read by real parsers from npm (feed_reader/:
feedparser, @extractus/feed-extractor, fast-xml-parser), run with Node.js."""
import json
import os
import subprocess

READER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "feed_reader", "read_feed.mjs")


def read(kind, body):
    """What the parsers saw of body (bytes) as kind (rss, atom, json or xml): a dict with, for
    XML, well_formed, xml_error and tree; for feeds, feedparser {errors, meta, items} and
    extractor (or extractor_error)."""
    p = subprocess.run(["node", READER, kind], input=body, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=60)
    if p.returncode != 0:
        raise AssertionError("the feed reader failed: %s" % p.stderr.decode()[-800:])
    return json.loads(p.stdout)
