#!/usr/bin/env python3
"""make_corpus.py: writes the malformed-HTTP corpus, one raw request per file, bytes exact.

    python3 tests/security/make_corpus.py        (rewrites tests/security/corpus/*.http)

The files are committed; this script is how they were made (and how to add one: add an
entry below and run it). Each file is sent as is on a fresh connection by replay.py,
followed (when the server keeps the connection) by a normal GET /healthz.

Conventions inside the files:
- Host is "localhost"; nothing depends on the port.
- A request hidden inside another one ("smuggled") carries "X-Request-Id: SMUGGLED-<name>".
  khabar echoes a sane X-Request-Id, so an answer carrying it means the hidden request
  was parsed as a request of its own: request smuggling.
- Writes go to POST /v1/articles without a token: nothing is ever stored.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")
CRLF = b"\r\n"


def req(head_lines, body=b"", end=CRLF):
    """A request from header lines (bytes, without line ends) and a body."""
    return end.join(head_lines) + end + end + body


def smuggled(name, method=b"GET", path=b"/healthz"):
    return (method + b" " + path + b" HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: SMUGGLED-" +
            name.encode() + b"\r\n\r\n")


def chunk(data):
    return b"%x\r\n" % len(data) + data + b"\r\n"


def corpus():
    c = {}
    post = b"POST /v1/articles HTTP/1.1"
    host = b"Host: localhost"
    ctype = b"Content-Type: application/json"

    # --- chunked encoding ----------------------------------------------------------------
    c["chunk-size-not-hex"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                  b"zz\r\nhello\r\n0\r\n\r\n")
    c["chunk-size-overflow"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                   b"ffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n")
    c["chunk-size-negative"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                   b"-5\r\nhello\r\n0\r\n\r\n")
    c["chunk-size-0x-prefix"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                    b"0x5\r\nhello\r\n0\r\n\r\n")
    c["chunk-data-longer-than-size"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                           b"5\r\nhelloEXTRA\r\n0\r\n\r\n")
    c["chunk-missing-crlf-after-data"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                             b"5\r\nhello0\r\n\r\n")
    c["chunk-extension-abuse"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                     b"5;" + b"a" * 20000 + b"\r\nhello\r\n0\r\n\r\n")
    c["chunk-extensions-many"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                     b"5" + b"".join(b";e%d=v" % i for i in range(200)) +
                                     b"\r\nhello\r\n0\r\n\r\n")
    c["chunk-tiny-chunks"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                 b"".join(chunk(b"x") for _ in range(3000)) + b"0\r\n\r\n")
    c["chunk-trailer-fields"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                                    chunk(b"{}") + b"0\r\nX-Trailer: a\r\nContent-Length: 99\r\n\r\n")
    c["chunk-bare-lf"] = req([post, host, ctype, b"Transfer-Encoding: chunked"],
                             b"2\n{}\n0\n\n")

    # --- request smuggling: Content-Length against Transfer-Encoding ---------------------
    # CL.TE: a front end that believes Content-Length forwards all; a back end that believes
    # Transfer-Encoding stops at the 0 chunk and reads the rest as the next request.
    c["smuggle-cl-te-prefix"] = req([post, host, ctype, b"Content-Length: 6",
                                     b"Transfer-Encoding: chunked"], b"0\r\n\r\nG")
    hidden = smuggled("cl-te")
    body = b"0\r\n\r\n" + hidden
    c["smuggle-cl-te-request"] = req([post, host, ctype, b"Content-Length: %d" % len(body),
                                      b"Transfer-Encoding: chunked"], body)
    # TE.CL: a front end that believes Transfer-Encoding forwards the chunk; a back end that
    # believes Content-Length: 4 reads "xx\r\n" and takes the chunk's data as a request.
    hidden = smuggled("te-cl")
    body = b"%x\r\n" % len(hidden) + hidden + b"\r\n0\r\n\r\n"
    c["smuggle-te-cl-request"] = req([post, host, ctype, b"Content-Length: 4",
                                      b"Transfer-Encoding: chunked"], body)
    c["smuggle-te-cl-header-order"] = req([post, host, ctype, b"Transfer-Encoding: chunked",
                                           b"Content-Length: 4"], body.replace(b"te-cl", b"te-cl2"))
    # TE.TE: an encoding one side does not recognise as chunked
    c["te-xchunked-with-cl"] = req([post, host, ctype, b"Transfer-Encoding: xchunked",
                                    b"Content-Length: %d" % len(b"0\r\n\r\n")], b"0\r\n\r\n")
    c["te-unknown-coding"] = req([post, host, ctype, b"Transfer-Encoding: gzip"], b"0\r\n\r\n")
    c["te-chunked-not-last"] = req([post, host, ctype, b"Transfer-Encoding: chunked, gzip"],
                                   b"0\r\n\r\n")
    c["te-two-headers"] = req([post, host, ctype, b"Transfer-Encoding: chunked",
                               b"Transfer-Encoding: identity"], b"0\r\n\r\n")
    hidden = smuggled("te-space")
    c["te-space-before-colon"] = req([post, host, ctype, b"Transfer-Encoding : chunked",
                                      b"Content-Length: %d" % (5 + len(hidden))], b"0\r\n\r\n" + hidden)
    c["te-in-http10"] = req([b"POST /v1/articles HTTP/1.0", host, ctype, b"Transfer-Encoding: chunked"],
                            b"0\r\n\r\n")

    # --- Content-Length ----------------------------------------------------------------
    hidden = smuggled("two-cl")
    c["content-length-twice-differing"] = req([post, host, ctype, b"Content-Length: 0",
                                               b"Content-Length: %d" % len(hidden)], hidden)
    c["content-length-twice-same"] = req([post, host, ctype, b"Content-Length: 2",
                                          b"Content-Length: 2"], b"{}")
    c["content-length-list"] = req([post, host, ctype, b"Content-Length: 2, 2"], b"{}")
    c["content-length-negative"] = req([post, host, ctype, b"Content-Length: -1"], b"")
    c["content-length-plus-sign"] = req([post, host, ctype, b"Content-Length: +2"], b"{}")
    c["content-length-hex"] = req([post, host, ctype, b"Content-Length: 0x2"], b"{}")
    c["content-length-huge"] = req([post, host, ctype, b"Content-Length: 99999999999999999999999"], b"")
    c["content-length-leading-zeros"] = req([post, host, ctype, b"Content-Length: 0002"], b"{}")
    c["content-length-on-get"] = req([b"GET /healthz HTTP/1.1", host, b"Content-Length: 5"], b"hello")

    # --- line endings, control bytes, header syntax --------------------------------------
    get = b"GET /healthz HTTP/1.1"
    c["bare-cr-in-header-value"] = req([get, host, b"X-A: a\rb"])
    c["bare-cr-line-ends"] = req([get, host, b"X-A: a"], end=b"\r")
    c["bare-lf-line-ends"] = req([get, host, b"X-A: a"], end=b"\n")
    c["nul-in-header-value"] = req([get, host, b"X-A: a\x00b"])
    c["nul-in-request-target"] = req([b"GET /heal\x00thz HTTP/1.1", host])
    c["obs-fold-header"] = req([get, host, b"X-Folded: a", b" b"])
    c["obs-fold-content-length"] = req([post, host, ctype, b"Content-Length:", b" 2"], b"{}")
    c["header-without-colon"] = req([get, host, b"X-No-Colon value"])
    c["space-in-header-name"] = req([get, host, b"X Bad: value"])
    c["empty-header-name"] = req([get, host, b": value"])
    c["high-bytes-in-header"] = req([get, host, b"X-A: \xff\xfe\x80"])
    c["missing-host"] = req([get])
    c["two-hosts"] = req([get, host, b"Host: other.example"])

    # --- sizes ------------------------------------------------------------------------
    c["huge-header"] = req([get, host, b"X-Huge: " + b"h" * 40000])
    c["many-headers"] = req([get, host] + [b"X-H%d: v" % i for i in range(3000)])
    c["huge-url"] = req([b"GET /v1/articles/" + b"u" * 40000 + b" HTTP/1.1", host])
    c["very-long-method"] = req([b"M" * 10000 + b" /healthz HTTP/1.1", host])

    # --- request line ----------------------------------------------------------------------
    c["http10-keep-alive"] = req([b"GET /healthz HTTP/1.0", b"Connection: keep-alive"])
    c["http09-request"] = b"GET /healthz\r\n\r\n"
    c["absolute-form-target"] = req([b"GET http://localhost/healthz HTTP/1.1", host])
    c["asterisk-form-options"] = req([b"OPTIONS * HTTP/1.1", host])
    c["version-2-0"] = req([b"GET /healthz HTTP/2.0", host])
    c["version-garbage"] = req([b"GET /healthz HTTP/1.1x", host])
    c["lowercase-method"] = req([b"get /healthz HTTP/1.1", host])
    c["extra-spaces-in-request-line"] = req([b"GET  /healthz  HTTP/1.1", host])
    c["tab-in-request-line"] = req([b"GET\t/healthz\tHTTP/1.1", host])
    c["invalid-utf8-path"] = req([b"GET /v1/articles/\xff\xfe HTTP/1.1", host])
    c["percent-encoded-nul-path"] = req([b"GET /v1/articles/%00 HTTP/1.1", host])
    c["dot-segments-path"] = req([b"GET /v1/../../../../etc/passwd HTTP/1.1", host])
    c["leading-empty-lines"] = b"\r\n\r\n" + req([get, host])
    c["expect-100-continue"] = req([post, host, ctype, b"Expect: 100-continue", b"Content-Length: 2"], b"{}")
    c["expect-unknown"] = req([get, host, b"Expect: 999-nonsense"])
    c["upgrade-h2c"] = req([get, host, b"Connection: Upgrade, HTTP2-Settings", b"Upgrade: h2c",
                            b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"])
    return c


def main():
    os.makedirs(OUT, exist_ok=True)
    items = corpus()
    keep = set()
    for i, (name, data) in enumerate(items.items(), 1):
        fname = "%02d-%s.http" % (i, name)
        keep.add(fname)
        with open(os.path.join(OUT, fname), "wb") as f:
            f.write(data)
    for fname in os.listdir(OUT):
        if fname.endswith(".http") and fname not in keep:
            os.remove(os.path.join(OUT, fname))
    print("wrote %d files to %s" % (len(items), OUT))


if __name__ == "__main__":
    main()
