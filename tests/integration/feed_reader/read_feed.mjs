// read_feed.mjs: reads a document from stdin with real parsers and prints what they saw, as JSON.
//   node read_feed.mjs rss|atom   feedparser's meta and items, feed-extractor's entries, and
//                                 fast-xml-parser's verdict on well-formedness
//   node read_feed.mjs json       feed-extractor's reading of a JSON Feed
//   node read_feed.mjs xml        fast-xml-parser's verdict and tree (sitemaps)
import { Readable } from "node:stream";
import FeedParser from "feedparser";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { extractFromJson, extractFromXml } from "@extractus/feed-extractor";

const kind = process.argv[2];

async function stdinText() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

// feedparser's view: every error it raises is reported, not thrown.
function feedparserRead(text) {
  return new Promise((resolve) => {
    const parser = new FeedParser({ normalize: true, addmeta: false });
    const items = [];
    const errors = [];
    let meta = null;
    parser.on("error", (e) => errors.push(String(e && e.message ? e.message : e)));
    parser.on("meta", (m) => { meta = m; });
    parser.on("readable", function () {
      let item;
      while ((item = this.read())) items.push(item);
    });
    parser.on("end", () => resolve({ meta, items, errors }));
    Readable.from([text]).pipe(parser);
  });
}

function item(i) {
  return {
    title: i.title, link: i.link, guid: i.guid, pubdate: i.pubdate && i.pubdate.toISOString(),
    date: i.date && i.date.toISOString(), description: i.description, summary: i.summary,
    author: i.author, authors: (i["atom:author"] ? [].concat(i["atom:author"]) : []).map((a) => a.name && a.name["#"]),
    creators: i["dc:creator"] ? [].concat(i["dc:creator"]).map((c) => c["#"]) : [],
    categories: i.categories, enclosures: i.enclosures, lang: (i["@"] || {})["xml:lang"]
      || (i["rss:@"] || {})["xml:lang"] || (i["atom:@"] || {})["xml:lang"] || null,
  };
}

async function main() {
  const text = await stdinText();
  const out = {};
  if (kind === "rss" || kind === "atom" || kind === "xml") {
    const verdict = XMLValidator.validate(text);
    out.well_formed = verdict === true;
    out.xml_error = verdict === true ? null : verdict.err;
    out.tree = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" }).parse(text);
  }
  if (kind === "rss" || kind === "atom") {
    const fp = await feedparserRead(text);
    out.feedparser = {
      errors: fp.errors,
      meta: fp.meta && { type: fp.meta["#type"], title: fp.meta.title, description: fp.meta.description,
        link: fp.meta.link, xmlurl: fp.meta.xmlurl, language: fp.meta.language, date: fp.meta.date && fp.meta.date.toISOString() },
      items: fp.items.map(item),
    };
    try {
      out.extractor = extractFromXml(text, { normalization: true, descriptionMaxLen: 0 });
    } catch (e) {
      out.extractor_error = String(e.message || e);
    }
  }
  if (kind === "json") {
    try {
      out.extractor = extractFromJson(JSON.parse(text), { normalization: true, descriptionMaxLen: 0 });
    } catch (e) {
      out.extractor_error = String(e.message || e);
    }
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => { process.stderr.write(String(e.stack || e)); process.exit(1); });
